// Number formats and the markdown table the report's sections share.

export const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
export const ratio = (r) => (r === null ? "n/a" : `${r < 0.1 ? r.toFixed(3) : r.toFixed(2)}×`);
export const ms = (v) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
export const unavailable = (reason) => `not available: ${reason.replaceAll("|", "\\|")}`;
export const noise = (r) => [r.stealPercent.toFixed(0), r.otherCores.toFixed(2)];

/** A markdown table; the first `textColumns` columns align left, the others right. */
export function table(header, rows, textColumns) {
  const align = header.map((_, i) => (i < textColumns ? "---" : "---:"));
  return [header, align, ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
