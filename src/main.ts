import { mount } from 'svelte';
import App from './ui/App.svelte';
import { applyTheme, savedTheme } from './ui/shell/theme.ts';
import { connection } from './ui/shell/service-worker.svelte.ts';
import './ui/theme.css';

applyTheme(savedTheme()); // before the first paint, so a chosen dark theme never flashes light
connection.start();
mount(App, { target: document.getElementById('app')! });
