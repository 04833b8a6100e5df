import { useEffect, useRef } from 'react';

function isFocusable(el: HTMLElement): boolean {
  return el.isConnected && !(el as HTMLButtonElement).disabled && el.getAttribute('aria-hidden') !== 'true';
}

/**
 * Remembers what had focus when `open` turned true and puts focus back there when it turns false,
 * so keyboard users land where they were after a dialog or flyout closes. When that control is gone
 * or disabled (the action replaced it), focus goes to the flyout or page that held it, never to <body>,
 * where Escape and Tab would no longer reach the flyout.
 */
export function useRestoreFocus(open: boolean): void {
  const previous = useRef<{ target: HTMLElement; container: HTMLElement | null } | null>(null);
  const wasOpen = useRef(false);
  // Capture during render, before the surface mounts: Fluent moves focus into a dialog in its own
  // effects, which run before this component's effects would.
  if (open && !wasOpen.current) {
    const active = document.activeElement;
    previous.current =
      active instanceof HTMLElement && active !== document.body
        ? { target: active, container: active.closest<HTMLElement>('[role="dialog"], main') }
        : null;
  }
  wasOpen.current = open;
  useEffect(() => {
    if (open) return;
    const saved = previous.current;
    previous.current = null;
    if (saved === null) return;
    // A closing Fluent dialog keeps its focus trap during its exit animation and pulls focus back
    // in; retry briefly until focus stays where it belongs.
    let tries = 0;
    const attempt = () => {
      const target = isFocusable(saved.target)
        ? saved.target
        : saved.container !== null && saved.container.isConnected
          ? saved.container
          : null;
      if (target === null) return;
      target.focus();
      tries += 1;
      if (document.activeElement !== target && tries < 40) window.setTimeout(attempt, 50);
    };
    window.setTimeout(attempt, 0);
  }, [open]);
}
