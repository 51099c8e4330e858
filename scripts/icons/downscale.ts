import type { RgbaImage } from './rgba-image.js';

/**
 * Shrinks a square image to `size`×`size` by area averaging: every output pixel is the mean of the source area it
 * covers, weighted by overlap. Colours are averaged premultiplied by alpha, so transparent pixels do not darken
 * the edges of the shape.
 */
export function downscale(image: RgbaImage, size: number): RgbaImage {
  if (image.width !== image.height) throw new Error(`the icon source must be square, not ${image.width}×${image.height}`);
  if (size > image.width) throw new Error(`cannot shrink a ${image.width}px image to ${size}px`);
  const n = image.width;
  const taps = areaTaps(n, size);
  const premultiplied = new Float64Array(n * n * 4);
  for (let i = 0; i < n * n; i++) {
    const a = image.data[i * 4 + 3] / 255;
    premultiplied[i * 4] = image.data[i * 4] * a;
    premultiplied[i * 4 + 1] = image.data[i * 4 + 1] * a;
    premultiplied[i * 4 + 2] = image.data[i * 4 + 2] * a;
    premultiplied[i * 4 + 3] = a;
  }
  // Rows first (n × size), then columns (size × size).
  const across = new Float64Array(n * size * 4);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < size; x++) {
      for (const { index, weight } of taps[x]) {
        for (let c = 0; c < 4; c++) across[(y * size + x) * 4 + c] += premultiplied[(y * n + index) * 4 + c] * weight;
      }
    }
  }
  const out = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sum = [0, 0, 0, 0];
      for (const { index, weight } of taps[y]) {
        for (let c = 0; c < 4; c++) sum[c] += across[(index * size + x) * 4 + c] * weight;
      }
      const o = (y * size + x) * 4;
      const alpha = sum[3];
      for (let c = 0; c < 3; c++) out[o + c] = alpha > 0 ? clampByte(sum[c] / alpha) : 0;
      out[o + 3] = clampByte(alpha * 255);
    }
  }
  return { width: size, height: size, data: out };
}

/** For each output index, the source indices it covers and their share (summing to 1). */
function areaTaps(from: number, to: number): { index: number; weight: number }[][] {
  const scale = from / to;
  return Array.from({ length: to }, (_, i) => {
    const start = i * scale;
    const end = (i + 1) * scale;
    const taps: { index: number; weight: number }[] = [];
    for (let j = Math.floor(start); j < Math.ceil(end); j++) {
      const overlap = Math.min(end, j + 1) - Math.max(start, j);
      if (overlap > 0) taps.push({ index: j, weight: overlap / scale });
    }
    return taps;
  });
}

function clampByte(v: number): number {
  return Math.min(255, Math.max(0, Math.round(v)));
}
