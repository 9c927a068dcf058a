import './style.css';
import { startConsole } from './app.js';

startConsole(document.getElementById('app')!);
