// Registers every target with the harness, in the order they run.
import './rules-yaml.js';
import './alertmanager-yaml.js';
import './query-params.js';
import './headers.js';
import './remote-write.js';
import './otlp.js';
import './wal.js';
import './wal-checkpoint.js';
import './admin-api.js';
import './chunks.js';
import './histogram-chunks.js';
import './cli.js';
