import type { CSSProperties } from 'react';

/**
 * Custom properties for element.style: sizes and positions computed in JS reach CSS this way. The CSP forbids style
 * attributes in HTML, not styles set through the DOM, which is what React does with this object.
 */
export function cssVars(vars: Record<`--${string}`, string | number>): CSSProperties {
  return vars as CSSProperties;
}

export const percent = (fraction: number) => `${(Math.min(1, Math.max(0, fraction)) * 100).toFixed(2)}%`;
