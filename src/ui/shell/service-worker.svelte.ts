/// <reference types="vite-plugin-pwa/client" />
/**
 * The service worker (built by vite-plugin-pwa, see vite.config.ts) and the network, as page state: whether
 * the browser is online, and whether a newer version of the lab is installed and waiting for a reload.
 */
import { registerSW } from 'virtual:pwa-register';

class Connection {
  online = $state(navigator.onLine);
  /** A new version is installed; `update()` activates it and reloads the page. */
  updateWaiting = $state(false);
  private activate?: (reload?: boolean) => Promise<void>;

  start(): void {
    addEventListener('online', () => (this.online = true));
    addEventListener('offline', () => (this.online = false));
    // Registration is a no-op under `vite` (dev), where no service worker is built.
    this.activate = registerSW({ immediate: true, onNeedRefresh: () => (this.updateWaiting = true) });
  }

  async update(): Promise<void> {
    await this.activate?.(true);
  }
}

export const connection = new Connection();
