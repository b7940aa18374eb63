/**
 * Presentation mode, for a talk: large type, high-contrast charts, no settings on screen (theme.css reads
 * `data-present` on <html>), and the keys a presenter's clicker sends step through the lab (present-keys.ts).
 */
class Presentation {
  on = $state(false);

  set(on: boolean) {
    this.on = on;
    document.documentElement.toggleAttribute('data-present', on);
  }
}

export const presentation = new Presentation();
