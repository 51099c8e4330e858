import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connect } from './api/connect.js';
import { setHost } from './api/host.js';
import { App } from './components/App.js';
import { initHost, refreshStatus } from './state/actions.js';
import { applyEvent } from './state/events.js';
import './styles.css';

const transport = connect();
setHost(transport);
transport.onEvent(applyEvent);
void initHost().then(refreshStatus);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
