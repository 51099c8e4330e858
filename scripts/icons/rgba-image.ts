/** Straight (not premultiplied) 8-bit RGBA pixels, row by row from the top. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}
