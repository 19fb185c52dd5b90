import { PNG } from 'pngjs';
import {
  ACCENT_COLOR,
  COLOR_ICON_SIZE,
  OUTLINE_ICON_SIZE,
  renderIcons,
} from '../../scripts/make-icons';

interface Pixel {
  r: number;
  g: number;
  b: number;
  a: number;
}

function pixels(png: PNG): Pixel[] {
  const list: Pixel[] = [];
  for (let i = 0; i < png.data.length; i += 4) {
    list.push({ r: png.data[i]!, g: png.data[i + 1]!, b: png.data[i + 2]!, a: png.data[i + 3]! });
  }
  return list;
}

function pixelAt(png: PNG, x: number, y: number): Pixel {
  const i = (y * png.width + x) * 4;
  return { r: png.data[i]!, g: png.data[i + 1]!, b: png.data[i + 2]!, a: png.data[i + 3]! };
}

describe('app icons', () => {
  const icons = renderIcons();
  const color = PNG.sync.read(icons.color);
  const outline = PNG.sync.read(icons.outline);

  test('color icon is 192 pixels', () => {
    expect(COLOR_ICON_SIZE).toBe(192);
    expect(color.width).toBe(192);
    expect(color.height).toBe(192);
  });

  test('color icon is fully opaque', () => {
    expect(pixels(color).filter((pixel) => pixel.a !== 255)).toEqual([]);
  });

  test('color icon shows glyph on accent', () => {
    const accent = {
      r: parseInt(ACCENT_COLOR.slice(1, 3), 16),
      g: parseInt(ACCENT_COLOR.slice(3, 5), 16),
      b: parseInt(ACCENT_COLOR.slice(5, 7), 16),
      a: 255,
    };
    const white = pixels(color).filter((pixel) => pixel.r === 255 && pixel.g === 255);

    expect(pixelAt(color, 0, 0)).toEqual(accent);
    expect(pixelAt(color, 191, 191)).toEqual(accent);
    expect(white.length).toBeGreaterThan(500);
  });

  test('outline icon is 32 pixels', () => {
    expect(OUTLINE_ICON_SIZE).toBe(32);
    expect(outline.width).toBe(32);
    expect(outline.height).toBe(32);
  });

  test('outline icon is white only', () => {
    const visible = pixels(outline).filter((pixel) => pixel.a > 0);
    const notWhite = visible.filter(
      (pixel) => pixel.r !== 255 || pixel.g !== 255 || pixel.b !== 255,
    );

    expect(visible.length).toBeGreaterThan(100);
    expect(notWhite).toEqual([]);
  });

  test('outline background is transparent', () => {
    const transparent = pixels(outline).filter((pixel) => pixel.a === 0);
    const opaque = pixels(outline).filter((pixel) => pixel.a === 255);

    for (const [x, y] of [
      [0, 0],
      [31, 0],
      [0, 31],
      [31, 31],
      [16, 2],
    ] as const) {
      expect({ x, y, alpha: pixelAt(outline, x, y).a }).toEqual({ x, y, alpha: 0 });
    }
    expect(transparent.length).toBeGreaterThan((32 * 32) / 2);
    expect(opaque.length).toBeGreaterThan(50);
  });
});
