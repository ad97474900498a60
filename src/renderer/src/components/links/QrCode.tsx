import { Button, Stack, Text } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import QRCode from 'qrcode';
import { useMemo } from 'react';
import { downloadFile } from './download';

/** Quiet zone around the code, in modules: the standard asks for four so phone cameras find the edges. */
const QUIET = 4;

/**
 * The code's drawing: one SVG path over the module matrix, or null when `value` is too long for a QR code (at
 * error correction M a code holds about 2,300 characters of a link; the `qrcode` library throws past it).
 */
function qrDrawing(value: string): { path: string; modules: number } | null {
  let code;
  try {
    code = QRCode.create(value, { errorCorrectionLevel: 'M' });
  } catch {
    return null;
  }
  const n = code.modules.size;
  let d = '';
  for (let row = 0; row < n; row++)
    for (let col = 0; col < n; col++)
      if (code.modules.get(row, col)) d += `M${col + QUIET} ${row + QUIET}h1v1h-1z`;
  return { path: d, modules: n + 2 * QUIET };
}

/** What the owner reads instead of a code that cannot be made. */
function TooLong({ value }: { value: string }) {
  return (
    <Text size="sm" c="dimmed" ta="center" maw={260} role="note" aria-label="No QR code">
      This link is too long for a QR code ({value.length.toLocaleString('en-US')} characters; a QR code holds
      about 2,300). Copy the link and send it instead.
    </Text>
  );
}

/**
 * A QR code of `value`, drawn as one SVG path from the `qrcode` library's module matrix: sharp at any size,
 * black on white in both colour schemes (cameras read dark on light), and no data: URL or innerHTML needed. A value
 * too long for a code gets a plain note instead.
 */
export function QrCode({ value, size = 200, label }: { value: string; size?: number; label: string }) {
  const drawing = useMemo(() => qrDrawing(value), [value]);
  if (!drawing) return <TooLong value={value} />;
  const { path, modules } = drawing;

  return (
    <svg
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${modules} ${modules}`}
      shapeRendering="crispEdges"
      style={{ display: 'block', borderRadius: 4 }}
    >
      <rect width={modules} height={modules} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}

/** The code with a line saying what it is for and a button that saves it as a PNG image. */
export function QrPanel({ value, fileName }: { value: string; fileName: string }) {
  const fits = useMemo(() => qrDrawing(value) !== null, [value]);
  if (!fits) return <TooLong value={value} />;
  const save = () =>
    void QRCode.toDataURL(value, { errorCorrectionLevel: 'M', width: 512, margin: QUIET }).then((url) =>
      // Decoded here: the window's Content-Security-Policy does not let fetch() read data: URLs.
      downloadFile(
        new Blob([Uint8Array.from(atob(url.slice(url.indexOf(',') + 1)), (c) => c.charCodeAt(0))], {
          type: 'image/png',
        }),
        fileName,
      ),
    );
  return (
    <Stack gap={6} align="center">
      <QrCode value={value} label="QR code of the link" />
      <Text size="xs" c="dimmed" ta="center" maw={220}>
        A customer can scan it with a phone camera to open the link.
      </Text>
      <Button size="compact-sm" variant="subtle" leftSection={<IconDownload size={14} />} onClick={save}>
        Save QR image
      </Button>
    </Stack>
  );
}
