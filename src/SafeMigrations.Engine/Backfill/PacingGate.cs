using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Engine.Backfill
{
    /// <summary>
    /// Decides before every batch whether it may start: it waits while a streaming replica's replay lag is over its
    /// bound (paused) or while the application's probe query is slower than its bound (slowed), says so through
    /// <see cref="Report"/>, and gives up with SM1017 after <see cref="PacingOptions.MaxPause"/>. One gate serves a whole
    /// run: the probe's baseline is taken at its first batch, before any work, and the notice that lag cannot be read
    /// is given once.
    /// </summary>
    public sealed class PacingGate
    {
        private static readonly TimeSpan RepeatNotice = TimeSpan.FromSeconds(10);

        private readonly PacingOptions _options;
        private readonly LatencyProbe? _probe;
        private TimeSpan? _baseline;
        private TimeSpan _latencyBound;
        private bool _toldUnreadable;

        /// <summary>Creates a gate.</summary>
        /// <exception cref="ArgumentOutOfRangeException">An option is out of range (see <see cref="PacingOptions.Validate"/>).</exception>
        public PacingGate(PacingOptions options)
        {
            options.Validate();
            _options = options;
            _probe = options.LatencyProbe is null ? null : new LatencyProbe(options.LatencyProbe);
        }

        /// <summary>Receives one line per pause, slow-down, resume and notice (without a step name); null drops them.</summary>
        public Action<string>? Report { get; set; }

        /// <summary>The probe's baseline once taken (null without a probe or before the first batch).</summary>
        public TimeSpan? Baseline => _baseline;

        /// <summary>Returns when the next batch may run. Runs between batches, outside any transaction, on the batches' connection.</summary>
        /// <exception cref="PacingStopException">Waited longer than the maximum pause (SM1017), or the probe query failed (SM1001).</exception>
        public async Task WaitAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            if (_probe is not null && _baseline is null)
            {
                _baseline = await _probe.BaselineAsync(connection, cancellationToken).ConfigureAwait(false);
                _latencyBound = TimeSpan.FromTicks(Math.Max(_options.LatencyFloor.Ticks, (long)(_baseline.Value.Ticks * _options.LatencyFactor)));
                Report?.Invoke($"pacing: latency probe baseline {Milliseconds(_baseline.Value)}, slowing down above {Milliseconds(_latencyBound)}");
            }

            Stopwatch? waiting = null;
            TimeSpan lastNotice = TimeSpan.Zero;
            string? lastKind = null;
            TimeSpan backoff = TimeSpan.FromTicks(_options.PollInterval.Ticks / 4);
            while (true)
            {
                (string? kind, string? reason) = await ReplicaReasonAsync(connection, cancellationToken).ConfigureAwait(false);
                if (reason is null && _probe is not null)
                {
                    TimeSpan latency = await _probe.ReadAsync(connection, _latencyBound, cancellationToken).ConfigureAwait(false);
                    if (latency > _latencyBound)
                        (kind, reason) = ("slowed", $"probe {Milliseconds(latency)} vs baseline {Milliseconds(_baseline!.Value)} (bound {Milliseconds(_latencyBound)})");
                }
                if (reason is null)
                {
                    if (waiting is not null)
                        Report?.Invoke($"resumed after {Seconds(waiting.Elapsed)}");
                    return;
                }

                waiting ??= Stopwatch.StartNew();
                if (waiting.Elapsed >= _options.MaxPause)
                {
                    throw new PacingStopException(
                        EngineCodes.PacingTimeout,
                        $"{kind} for {Seconds(waiting.Elapsed)}, longer than the maximum pause ({Seconds(_options.MaxPause)}): {reason}. " +
                        "The batches done so far are committed and recorded; rerun when the system has caught up (or raise the bound or the maximum pause) and the work resumes after the last batch.");
                }

                // The replica's own pace decides when it catches up: poll. A slow probe backs off, so the app gets room.
                TimeSpan wait = kind == "slowed" ? backoff : _options.PollInterval;
                if (kind != lastKind || waiting.Elapsed - lastNotice >= RepeatNotice)
                {
                    Report?.Invoke(kind == "slowed"
                        ? $"slowed: {reason}; waiting {Milliseconds(wait)} before the next batch"
                        : $"paused: {reason}; waiting" + (waiting.Elapsed > TimeSpan.Zero && lastKind is not null ? $" ({Seconds(waiting.Elapsed)} so far, at most {Seconds(_options.MaxPause)})" : string.Empty));
                    lastNotice = waiting.Elapsed;
                    lastKind = kind;
                }
                if (kind == "slowed")
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.PollInterval.Ticks * 4));
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task<(string? Kind, string? Reason)> ReplicaReasonAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            if (_options.MaxReplicaLagBytes is null && _options.MaxReplicaLagTime is null)
                return (null, null);
            var (replicas, unreadable, user) = await ReplicaLag.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
            if (unreadable > 0 && !_toldUnreadable)
            {
                _toldUnreadable = true;
                string role = SqlIdentifier.Quote(user);
                Report?.Invoke(
                    $"pacing: cannot read replica lag: pg_stat_replication shows {unreadable} WAL sender(s) but hides their positions from role {role}, so " +
                    $"{(unreadable == 1 ? "that replica is" : "those replicas are")} not watched. To watch them: GRANT pg_monitor TO {role};");
            }
            foreach (ReplicaLag replica in replicas.OrderByDescending(r => r.Bytes ?? 0))
            {
                if (_options.MaxReplicaLagBytes is long maxBytes && replica.Bytes is long bytes && bytes > maxBytes)
                    return ("paused", $"replica '{replica.Name}' replay lag {ReplicaLag.FormatBytes(bytes)} > {ReplicaLag.FormatBytes(maxBytes)} bound");
                if (_options.MaxReplicaLagTime is TimeSpan maxTime && replica.Time is TimeSpan time && time > maxTime)
                    return ("paused", $"replica '{replica.Name}' replay lag {Seconds(time)} > {Seconds(maxTime)} bound");
            }
            return (null, null);
        }

        private static string Milliseconds(TimeSpan time)
            => time.TotalMilliseconds.ToString(time.TotalMilliseconds < 10 ? "0.0" : "0", System.Globalization.CultureInfo.InvariantCulture) + " ms";

        private static string Seconds(TimeSpan time)
            => time.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " s";
    }
}
