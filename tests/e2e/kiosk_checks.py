"""What the kiosk's browser tests measure on a page: geometry, focus rings, what the sound says."""

from __future__ import annotations

from typing import Any

SIZES = {"320x568": (320, 568), "375x667": (375, 667), "1280x800": (1280, 800)}

# Every answer control (and the link-buttons of the end, help and news pages).
ANSWERS = "main form.answer button, main form.answer label.choice, main form.answer textarea, main .choices a"

# A rectangle fully inside the viewport and clear of every fixed or sticky element.
GEOMETRY_JS = """
([selector, scroll]) => {
  const covers = [...document.querySelectorAll('body *')].filter(e => {
    const p = getComputedStyle(e).position;
    return (p === 'fixed' || p === 'sticky') && e.getClientRects().length;
  });
  const problems = [];
  const check = (el, what) => {
    if (scroll) el.scrollIntoView({block: 'nearest'});
    const r = el.getBoundingClientRect();
    const text = el.getAttribute('aria-label') || el.textContent || el.name || el.tagName;
    const name = what + ' ' + text.trim().slice(0, 40);
    if (r.width === 0 && r.height === 0) return;
    if (r.top < -0.5 || r.left < -0.5 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5)
      problems.push(name + ' outside the viewport ' + JSON.stringify([r.top, r.left, r.bottom, r.right]));
    for (const c of covers) {
      if (c.contains(el)) continue;
      const k = c.getBoundingClientRect();
      if (r.left < k.right && k.left < r.right && r.top < k.bottom && k.top < r.bottom)
        problems.push(name + ' under ' + c.tagName + '.' + c.className);
    }
    if (what === 'answer' && (r.height < 44 || r.width < 44)) problems.push(name + ' smaller than 44 px');
  };
  if (selector) document.querySelectorAll(selector).forEach(el => {
    if (el.getClientRects().length) check(el, 'answer');
  });
  else if (document.activeElement && document.activeElement !== document.body)
    check(document.activeElement, 'focus');
  return problems;
}
"""

# The focused control's ring against what lies behind it: contrast ratio (WCAG 2.2, 1.4.11).
FOCUS_RING_JS = """
() => {
  let el = document.activeElement;
  if (!el || el === document.body) return null;
  if (el.matches('label.choice input')) el = el.closest('label');
  const style = getComputedStyle(el);
  if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2)
    return {name: el.outerHTML.slice(0, 80), ratio: 0};
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let back = el.parentElement;
  const clear = e => {
    const c = rgb(getComputedStyle(e).backgroundColor);
    return c.length === 4 && c[3] === 0;
  };
  while (back && clear(back)) back = back.parentElement;
  const behind = back ? rgb(getComputedStyle(back).backgroundColor).slice(0, 3) : [255, 255, 255];
  const [a, b] = [lum(rgb(style.outlineColor).slice(0, 3)), lum(behind)];
  return {name: el.outerHTML.slice(0, 80), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
}
"""


def answer_problems(page: Any) -> list[str]:
    """Return every answer control that is outside the viewport, covered, or too small."""
    problems: list[str] = page.evaluate(GEOMETRY_JS, [ANSWERS, True])
    return problems


def focus_problems(page: Any, limit: int = 40) -> list[str]:
    """Tab through the page from the top; return each focused control covered, outside or faint."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    problems: list[str] = []
    seen: set[str] = set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        where = page.evaluate("() => (document.activeElement || document.body).outerHTML.slice(0, 120)")
        if where in seen or where.startswith("<body"):
            break
        seen.add(where)
        problems += page.evaluate(GEOMETRY_JS, [None, False])
        ring = page.evaluate(FOCUS_RING_JS)
        if ring is not None and ring["ratio"] < 3:
            problems.append(f"focus ring {ring['ratio']:.1f}:1 on {ring['name']}")
    return problems


def spoken(page: Any) -> str:
    """Return what the question's sound says (the script the clip was made from)."""
    audio = page.locator("#question audio, .welcome audio").first
    return str(audio.get_attribute("data-spoken") or "")
