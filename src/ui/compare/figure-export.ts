/**
 * A chart as a figure for a slide: the chart's own SVG with its legend above and its caption (model,
 * dataset, seeds, conditions) below, on white, as an SVG file or a PNG at twice the size.
 */
import { saveFile } from '../save-file.ts';

export interface FigureParts {
  legend: readonly { label: string; color: string }[];
  caption: string;
  /** The file's name, without extension. */
  file: string;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const INK = '#1d1d1f';
const FONT = 14;
const LINE = 20;
/** A rough character width at FONT, to wrap the caption and lay out the legend without measuring text. */
const CHAR = 7.6;

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);

function wrap(text: string, chars: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/)) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= chars) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** The figure as standalone SVG text, and its size in CSS pixels. */
export function figureSvg(chart: SVGSVGElement, parts: FigureParts): { text: string; width: number; height: number } {
  const width = Number(chart.getAttribute('width'));
  const chartHeight = Number(chart.getAttribute('height'));
  const items: string[] = [];
  let x = 10;
  let y = 10;
  for (const { label, color } of [...parts.legend, { label: 'chance', color: '' }]) {
    const itemWidth = 22 + label.length * CHAR + 16;
    if (x > 10 && x + itemWidth > width) [x, y] = [10, y + LINE];
    items.push(
      color
        ? `<rect x="${x}" y="${y + 3}" width="14" height="14" rx="2" fill="${color}"/>`
        : `<line x1="${x}" x2="${x + 16}" y1="${y + 10}" y2="${y + 10}" stroke="${INK}" stroke-width="2" stroke-dasharray="5 4"/>`,
      `<text x="${x + 20}" y="${y + 15}">${escape(label)}</text>`,
    );
    x += itemWidth;
  }
  const top = y + LINE + 8;
  const clone = chart.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('x', '0');
  clone.setAttribute('y', String(top));
  const lines = wrap(parts.caption, Math.floor((width - 20) / CHAR));
  const captionTop = top + chartHeight + 8;
  const height = captionTop + lines.length * LINE + 8;
  const caption = lines.map((line, i) => `<text x="10" y="${captionTop + (i + 1) * LINE - 5}">${escape(line)}</text>`).join('');
  const text =
    `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="${FONT}" fill="${INK}" color="${INK}">` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>${items.join('')}${new XMLSerializer().serializeToString(clone)}${caption}</svg>`;
  return { text, width, height };
}

async function png(svg: { text: string; width: number; height: number }): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg.text], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = Object.assign(document.createElement('canvas'), { width: svg.width * 2, height: svg.height * 2 });
    const context = canvas.getContext('2d')!;
    context.scale(2, 2);
    context.drawImage(image, 0, 0);
    return await new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the canvas gave no image'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

export async function downloadFigure(kind: 'svg' | 'png', chart: SVGSVGElement, parts: FigureParts): Promise<void> {
  const svg = figureSvg(chart, parts);
  const blob = kind === 'svg' ? new Blob([svg.text], { type: 'image/svg+xml' }) : await png(svg);
  saveFile(blob, `${parts.file}.${kind}`);
}
