-- Print wrk's figures as one JSON line (p50/p95/p99 in ms, requests/s, errors).
done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format(
    '{"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "mean_ms": %.2f, "requests": %d, "rps": %.2f, ' ..
    '"non_2xx": %d, "socket_errors": %d}\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, summary.requests, summary.requests / (summary.duration / 1e6), non2xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
