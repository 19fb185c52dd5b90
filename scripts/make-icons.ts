/**
 * Draws the Teams app icons from geometry in this file, so the app package contains no binary of
 * unknown origin:
 *
 * - color.png: 192x192, opaque, a white glyph on the accent color.
 * - outline.png: 32x32, the same glyph in white on a transparent background, as Teams requires.
 *
 * The glyph is a picture frame (a gallery image) with a check mark (approved).
 *
 *   npx tsx scripts/make-icons.ts [output-folder]   (default: appPackage/icons)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';

/** Accent color of the app: the background of the color icon and `accentColor` in the manifest. */
export const ACCENT_COLOR = '#0F6CBD';

export const COLOR_ICON_SIZE = 192;
export const OUTLINE_ICON_SIZE = 32;

/** Samples per pixel along each axis; 8 gives 64 samples, enough for smooth edges. */
const SUPERSAMPLING = 8;

/** The glyph is drawn on a 32x32 grid, the outline icon's own size. */
const GLYPH_GRID = 32;

/** Teams shows the color icon's symbol inside the central 96x96 of the 192x192 icon. */
const COLOR_ICON_GLYPH_SIZE = 96;

interface Point {
  x: number;
  y: number;
}

export interface AppIcons {
  color: Buffer;
  outline: Buffer;
}

/** Renders both icons as PNG files in memory. */
export function renderIcons(): AppIcons {
  return { color: renderColorIcon(), outline: renderOutlineIcon() };
}

export function renderColorIcon(): Buffer {
  const size = COLOR_ICON_SIZE;
  const scale = COLOR_ICON_GLYPH_SIZE / GLYPH_GRID;
  const offset = (size - COLOR_ICON_GLYPH_SIZE) / 2;
  const background = parseHexColor(ACCENT_COLOR);
  const png = new PNG({ width: size, height: size, colorType: 6 });

  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const coverage = pixelCoverage(x, y, (point) =>
        glyphContains({ x: (point.x - offset) / scale, y: (point.y - offset) / scale }),
      );
      const index = (y * size + x) * 4;
      png.data[index] = blend(background.r, 255, coverage);
      png.data[index + 1] = blend(background.g, 255, coverage);
      png.data[index + 2] = blend(background.b, 255, coverage);
      png.data[index + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

export function renderOutlineIcon(): Buffer {
  const size = OUTLINE_ICON_SIZE;
  const scale = OUTLINE_ICON_SIZE / GLYPH_GRID;
  const png = new PNG({ width: size, height: size, colorType: 6 });

  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const coverage = pixelCoverage(x, y, (point) =>
        glyphContains({ x: point.x / scale, y: point.y / scale }),
      );
      const index = (y * size + x) * 4;
      // Fully transparent pixels carry no color, so only white ever appears in the icon.
      const white = coverage > 0 ? 255 : 0;
      png.data[index] = white;
      png.data[index + 1] = white;
      png.data[index + 2] = white;
      png.data[index + 3] = Math.round(coverage * 255);
    }
  }
  return PNG.sync.write(png);
}

/** Returns the share of a pixel's samples that fall inside the shape, from 0 to 1. */
function pixelCoverage(x: number, y: number, contains: (point: Point) => boolean): number {
  let inside = 0;
  for (let sy = 0; sy < SUPERSAMPLING; sy++) {
    for (let sx = 0; sx < SUPERSAMPLING; sx++) {
      const point = { x: x + (sx + 0.5) / SUPERSAMPLING, y: y + (sy + 0.5) / SUPERSAMPLING };
      if (contains(point)) inside++;
    }
  }
  return inside / (SUPERSAMPLING * SUPERSAMPLING);
}

/** Tests a point on the 32x32 glyph grid: a framed picture with a check mark over its corner. */
function glyphContains(point: Point): boolean {
  // Every shape below lies inside this box, so most of the color icon skips the distance math.
  if (point.x < 2 || point.x > 31 || point.y < 4 || point.y > 28) return false;

  const checkMark: Point[] = [
    { x: 17.5, y: 22.5 },
    { x: 21, y: 26 },
    { x: 28.5, y: 16.5 },
  ];
  const checkStrokeWidth = 3.2;
  // The gap keeps the check mark apart from the frame where they cross.
  const gapWidth = checkStrokeWidth + 3;
  if (polylineDistance(point, checkMark) <= checkStrokeWidth / 2) return true;
  if (polylineDistance(point, checkMark) <= gapWidth / 2) return false;

  const frame = { left: 3.5, top: 5.5, right: 25.5, bottom: 24.5, radius: 3 };
  const frameStrokeWidth = 2.4;
  if (Math.abs(roundedRectDistance(point, frame)) <= frameStrokeWidth / 2) return true;

  const sun = { x: 19, y: 11.5 };
  if (Math.hypot(point.x - sun.x, point.y - sun.y) <= 2) return true;

  const mountain: [Point, Point, Point] = [
    { x: 7, y: 21 },
    { x: 12.5, y: 12.5 },
    { x: 18, y: 21 },
  ];
  return triangleContains(point, mountain);
}

/** Signed distance from a point to a rounded rectangle's edge: negative inside. */
function roundedRectDistance(
  point: Point,
  rect: { left: number; top: number; right: number; bottom: number; radius: number },
): number {
  const centerX = (rect.left + rect.right) / 2;
  const centerY = (rect.top + rect.bottom) / 2;
  const halfWidth = (rect.right - rect.left) / 2 - rect.radius;
  const halfHeight = (rect.bottom - rect.top) / 2 - rect.radius;
  const dx = Math.abs(point.x - centerX) - halfWidth;
  const dy = Math.abs(point.y - centerY) - halfHeight;
  const outside = Math.hypot(Math.max(dx, 0), Math.max(dy, 0));
  const inside = Math.min(Math.max(dx, dy), 0);
  return outside + inside - rect.radius;
}

function polylineDistance(point: Point, vertices: Point[]): number {
  let distance = Infinity;
  for (let i = 1; i < vertices.length; i++) {
    distance = Math.min(distance, segmentDistance(point, vertices[i - 1]!, vertices[i]!));
  }
  return distance;
}

function segmentDistance(point: Point, start: Point, end: Point): number {
  const dx = end.x - start.x;
  const dy = end.y - start.y;
  const lengthSquared = dx * dx + dy * dy;
  const t = Math.max(
    0,
    Math.min(1, ((point.x - start.x) * dx + (point.y - start.y) * dy) / lengthSquared),
  );
  return Math.hypot(point.x - (start.x + t * dx), point.y - (start.y + t * dy));
}

function triangleContains(point: Point, [a, b, c]: [Point, Point, Point]): boolean {
  const side = (p: Point, q: Point): number =>
    (q.x - p.x) * (point.y - p.y) - (q.y - p.y) * (point.x - p.x);
  const ab = side(a, b);
  const bc = side(b, c);
  const ca = side(c, a);
  return (ab >= 0 && bc >= 0 && ca >= 0) || (ab <= 0 && bc <= 0 && ca <= 0);
}

function blend(from: number, to: number, amount: number): number {
  return Math.round(from + (to - from) * amount);
}

function parseHexColor(hex: string): { r: number; g: number; b: number } {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) throw new Error(`"${hex}" is not a #RRGGBB color.`);
  return {
    r: parseInt(match[1]!, 16),
    g: parseInt(match[2]!, 16),
    b: parseInt(match[3]!, 16),
  };
}

function main(): void {
  const folder = path.resolve(process.argv[2] ?? path.join('appPackage', 'icons'));
  mkdirSync(folder, { recursive: true });
  const icons = renderIcons();
  writeFileSync(path.join(folder, 'color.png'), icons.color);
  writeFileSync(path.join(folder, 'outline.png'), icons.outline);
  console.log(`Wrote color.png and outline.png to ${folder}`);
}

if (require.main === module) main();
