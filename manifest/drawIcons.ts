/**
 * Draws the Teams app icons: `npx tsx manifest/drawIcons.ts` rewrites color.png and outline.png.
 * The icons are drawn from shapes rather than kept as hand-edited images, so they stay
 * reproducible and a reviewer can read what they show.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PNG } from 'pngjs';

type Rgb = readonly [number, number, number];
type Point = readonly [number, number];

/** A filled area in pixel coordinates (continuous, 0,0 is the top-left corner of the image). */
type Shape = (x: number, y: number) => boolean;

interface Layer {
  shape: Shape;
  color: Rgb;
}

const SCHNEIDER_GREEN: Rgb = [0x3d, 0xcd, 0x58];
const DARK_GREEN: Rgb = [0x00, 0x87, 0x3c];
const PALE_GREEN: Rgb = [0xc6, 0xf0, 0xcf];
const WHITE: Rgb = [255, 255, 255];

/** Samples per pixel along each axis: smooth edges without an image library. */
const SUPERSAMPLING = 4;

function roundedRect(x0: number, y0: number, x1: number, y1: number, radius: number): Shape {
  return (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const dx = Math.max(x0 + radius - x, 0, x - (x1 - radius));
    const dy = Math.max(y0 + radius - y, 0, y - (y1 - radius));
    return dx * dx + dy * dy <= radius * radius;
  };
}

/** Even-odd point-in-polygon test. */
function polygon(points: readonly Point[]): Shape {
  return (x, y) => {
    let inside = false;
    for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
      const [xi, yi] = points[i]!;
      const [xj, yj] = points[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
}

/** A stroke of the given width along a polyline, with round joins and caps. */
function stroke(points: readonly Point[], width: number): Shape {
  const half = width / 2;
  return (x, y) => {
    for (let i = 1; i < points.length; i++) {
      const [ax, ay] = points[i - 1]!;
      const [bx, by] = points[i]!;
      const lengthSquared = (bx - ax) ** 2 + (by - ay) ** 2;
      const t = lengthSquared === 0 ? 0 : Math.min(1, Math.max(0, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / lengthSquared));
      if ((x - (ax + t * (bx - ax))) ** 2 + (y - (ay + t * (by - ay))) ** 2 <= half * half) return true;
    }
    return false;
  };
}

function union(...shapes: Shape[]): Shape {
  return (x, y) => shapes.some((shape) => shape(x, y));
}

/** Paints the layers bottom to top, averaging the samples of each pixel; uncovered samples stay transparent. */
function render(size: number, layers: readonly Layer[]): PNG {
  const png = new PNG({ width: size, height: size });
  const samples = SUPERSAMPLING * SUPERSAMPLING;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let covered = 0;
      for (let sy = 0; sy < SUPERSAMPLING; sy++) {
        for (let sx = 0; sx < SUPERSAMPLING; sx++) {
          const x = px + (sx + 0.5) / SUPERSAMPLING;
          const y = py + (sy + 0.5) / SUPERSAMPLING;
          const top = layers.findLast((layer) => layer.shape(x, y));
          if (!top) continue;
          r += top.color[0];
          g += top.color[1];
          b += top.color[2];
          covered++;
        }
      }
      const i = (py * size + px) * 4;
      png.data[i] = covered ? Math.round(r / covered) : 0;
      png.data[i + 1] = covered ? Math.round(g / covered) : 0;
      png.data[i + 2] = covered ? Math.round(b / covered) : 0;
      png.data[i + 3] = Math.round((covered / samples) * 255);
    }
  }
  return png;
}

/** A page with its top-right corner folded over: the outline, and the fold's triangle. */
function page(x0: number, y0: number, x1: number, y1: number, fold: number): { outline: Point[]; fold: Point[] } {
  return {
    outline: [
      [x0, y0],
      [x1 - fold, y0],
      [x1, y0 + fold],
      [x1, y1],
      [x0, y1],
    ],
    fold: [
      [x1 - fold, y0],
      [x1 - fold, y0 + fold],
      [x1, y0 + fold],
    ],
  };
}

/** 192×192: a white letter with text lines and a signature tick on a Schneider green tile. */
export function drawColorIcon(): PNG {
  const letter = page(56, 36, 136, 156, 26);
  const line = (y: number, x1: number): Layer => ({ shape: roundedRect(72, y, x1, y + 8, 4), color: SCHNEIDER_GREEN });
  return render(192, [
    { shape: roundedRect(0, 0, 192, 192, 36), color: SCHNEIDER_GREEN },
    { shape: polygon(letter.outline), color: WHITE },
    { shape: polygon(letter.fold), color: PALE_GREEN },
    line(76, 120),
    line(94, 120),
    line(112, 104),
    {
      shape: stroke(
        [
          [84, 136],
          [94, 145],
          [114, 124],
        ],
        8,
      ),
      color: DARK_GREEN,
    },
  ]);
}

/** 32×32: the same letter as a white outline on transparent, as Teams requires of outline icons. */
export function drawOutlineIcon(): PNG {
  const letter = page(8, 4, 24, 28, 6);
  return render(32, [
    {
      shape: union(
        stroke([...letter.outline, letter.outline[0]!], 2),
        stroke([[18, 4], [18, 10], [24, 10]], 2),
        stroke([[12, 15], [20, 15]], 2),
        stroke([[12, 19], [20, 19]], 2),
        stroke([[12, 23], [17, 23]], 2),
      ),
      color: WHITE,
    },
  ]);
}

function main(): void {
  for (const [file, png] of [
    ['color.png', drawColorIcon()],
    ['outline.png', drawOutlineIcon()],
  ] as const) {
    const path = resolve(__dirname, file);
    writeFileSync(path, PNG.sync.write(png));
    console.log(`wrote ${path}`);
  }
}

if (require.main === module) main();
