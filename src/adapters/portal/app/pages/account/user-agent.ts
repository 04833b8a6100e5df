/**
 * A short name for a browser's User-Agent header ("Firefox", "Windows"), or null when the header
 * says nothing we recognise. Browser and system names are product names: they are not translated.
 */
export function describeUserAgent(ua: string | null): { browser: string; system: string } | null {
  if (ua === null || ua.trim() === '') return null;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrom(e|ium)\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : null;
  const system = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad|iPod/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : null;
  return browser === null || system === null ? null : { browser, system };
}
