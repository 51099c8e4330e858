import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connect } from './api/connect.js';
import { setHost } from './api/host.js';
import { App } from './components/App.js';
import { start } from './state/actions/startup.js';
import { applyEvent } from './state/events.js';
import './styles/index.css';

const transport = connect();
setHost(transport);
transport.onEvent(applyEvent);
void start();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
