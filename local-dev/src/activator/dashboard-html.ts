/**
 * The activator's `GET /`: the platform's live table (functions, addresses, instances, cold
 * starts, requests, errors), redrawn every second from `/_kinetic/status`. One static page,
 * no assets, text inserted with textContent only.
 */
export function dashboardHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kinetic dev</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 2rem; color: #222; }
  table { border-collapse: collapse; }
  th, td { text-align: left; padding: .3rem .8rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { font-weight: 600; }
  code, .mono { font-family: ui-monospace, monospace; font-size: 13px; }
  .error { color: #b00; }
  .muted { color: #777; }
</style>
</head>
<body>
<h1>kinetic dev</h1>
<p class="muted">Every function behind the activator: by Host (<code>&lt;name&gt;.localhost</code>,
<code>&lt;name&gt;.&lt;namespace&gt;.svc.cluster.local</code>), by RPC path on this port, or at its own port.
JSON: <a href="/_kinetic/status"><code>/_kinetic/status</code></a>.</p>
<table>
<thead><tr><th>function</th><th>address</th><th>instances ready/starting</th><th>in flight / queued</th><th>last cold start</th><th>requests</th><th>errors</th></tr></thead>
<tbody id="rows"></tbody>
</table>
<script>
const cell = (row, text, cls) => { const td = row.insertCell(); td.textContent = text; if (cls) td.className = cls; return td; };
async function refresh() {
  try {
    const status = await (await fetch("/_kinetic/status")).json();
    const rows = document.getElementById("rows");
    rows.replaceChildren();
    for (const fn of status.functions) {
      const row = rows.insertRow();
      cell(row, fn.name).title = fn.description;
      cell(row, fn.url + "\\n" + fn.services.join("\\n"), "mono").style.whiteSpace = "pre";
      cell(row, fn.ready + "/" + fn.starting + (fn.draining ? " (" + fn.draining + " draining)" : ""));
      cell(row, fn.inFlight + " / " + fn.queued);
      const cold = fn.lastColdStart;
      cell(row, cold ? cold.readyMs + " ms ready" + (cold.firstByteMs === undefined || cold.firstByteMs === null ? "" : ", " + cold.firstByteMs + " ms to first byte") : "—");
      cell(row, String(fn.requests));
      const last = fn.recentErrors[fn.recentErrors.length - 1];
      cell(row, fn.errors + (last ? " — " + last.message : ""), fn.errors ? "error" : "");
    }
  } catch {}
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;
}
