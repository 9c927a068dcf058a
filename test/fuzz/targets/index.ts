// Registers every target with the harness, in the order they run.
import './rules-yaml.js';
import './alertmanager-yaml.js';
import './query-params.js';
import './headers.js';
