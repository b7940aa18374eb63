/**
 * Light or dark: the system's choice unless the student picked one, remembered in localStorage. The
 * choice is an attribute on <html> that theme.css reads (its colors are `light-dark()` pairs).
 */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

const KEY = 'glon-theme';

export function savedTheme(): Theme {
  try {
    const saved = localStorage.getItem(KEY);
    return THEMES.find((t) => t === saved) ?? 'system';
  } catch {
    return 'system'; // storage blocked (private mode, policies): the system's choice still works
  }
}

export function applyTheme(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export function saveTheme(theme: Theme): void {
  applyTheme(theme);
  try {
    if (theme === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, theme);
  } catch {
    // Not remembered, still applied.
  }
}
