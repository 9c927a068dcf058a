/** The parsed form of a Go text/template. */

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipe }
  | { kind: 'if' | 'with' | 'range'; pipe: Pipe; list: Node[]; elseList: Node[] | undefined }
  /** `{{template "name" pipeline}}` (and the call half of `{{block}}`); the dot is the pipeline's value. */
  | { kind: 'template'; name: string; pipe: Pipe | undefined }
  | { kind: 'break' | 'continue' };

export interface Pipe {
  /** Variables declared (`$x :=`) or assigned (`$x =`) by this pipeline. */
  decl: string[];
  assign: boolean;
  cmds: Cmd[];
}

export interface Cmd {
  args: Arg[];
}

export type Arg =
  | { kind: 'dot' }
  | { kind: 'field'; names: string[] }
  | { kind: 'var'; name: string; names: string[] }
  | { kind: 'ident'; name: string }
  | { kind: 'lit'; value: string | number | boolean | null }
  | { kind: 'paren'; pipe: Pipe; names: string[] };
