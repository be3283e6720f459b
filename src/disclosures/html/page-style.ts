// The report's only style sheet: inline (no external assets), readable on screen and on paper.

export const PAGE_STYLE = `
body { font-family: system-ui, sans-serif; color: #111; margin: 2rem auto; max-width: 62rem; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.25rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; }
.meta { color: #444; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
th, td { border: 1px solid #999; padding: 0.4rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #eee; }
tr.btg td { background: #fff3cd; }
.btg-mark { display: inline-block; font-weight: 700; color: #7a0000; border: 2px solid #7a0000; padding: 0 0.3rem; margin-bottom: 0.2rem; }
.detail { display: block; color: #333; font-size: 0.9rem; }
dt { font-weight: 700; margin-top: 0.6rem; }
footer { margin-top: 2rem; color: #555; font-size: 0.85rem; }
@media print { body { margin: 0; max-width: none; } tr { page-break-inside: avoid; } }
`;
