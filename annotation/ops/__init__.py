"""Operating the platform: metrics for Prometheus (`/metrics`) and one JSON log line per request and job."""
