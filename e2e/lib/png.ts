import { crc32, deflateSync } from "node:zlib";

/** gradientPNG draws a width×height PNG (a blue gradient with a band), for upload tests and screenshots. */
export function gradientPNG(width = 320, height = 180): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // no filter
    for (let x = 0; x < width; x++) {
      const t = (x + y) / (width + height);
      const band = y > height * 0.42 && y < height * 0.58 && x > width * 0.1 && x < width * 0.9;
      const i = row + 1 + x * 3;
      raw[i] = band ? 255 : Math.round(43 + t * 80);
      raw[i + 1] = band ? 255 : Math.round(95 + t * 100);
      raw[i + 2] = band ? 255 : Math.round(217 + t * 38);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
