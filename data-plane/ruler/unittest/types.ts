/** A promtool rule unit test file (`promtool test rules`). */
export interface UnitTestFile {
  rule_files?: string[];
  evaluation_interval?: string;
  group_eval_order?: string[];
  tests?: TestGroup[];
}

export interface TestGroup {
  name?: string;
  interval?: string;
  input_series?: { series: string; values?: string }[];
  alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: ExpAlert[] }[];
  promql_expr_test?: {
    expr: string;
    eval_time: string;
    exp_samples?: { labels?: string; value?: number | string }[];
  }[];
  external_labels?: Record<string, string>;
  external_url?: string;
}

export interface ExpAlert {
  exp_labels?: Record<string, string>;
  exp_annotations?: Record<string, string>;
}

/** The outcome of one file: `errors` empty means every test passed. */
export interface UnitTestResult {
  file: string;
  /** Problems loading the test or rule files. */
  loadErrors: string[];
  /** Failed assertions, formatted like promtool's. */
  failures: string[];
  testGroups: number;
}
