using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using SafeMigrations.Engine.Backfill;

namespace SafeMigrations.Benchmarks.StallTable;

/// <summary>How long the engine's backfill batches took (a writer hitting a row of the batch in flight waits about that long), and when the longest ran.</summary>
internal sealed class BatchDurations
{
    private readonly List<(double EndMs, double DurationMs, int Rows)> _batches = new();

    /// <summary>Hooks every committed batch of a backfill, keeping its own progress output.</summary>
    public void Listen(BackfillOptions options, Stopwatch clock, double start)
    {
        Action<BackfillProgress>? inner = options.Progress;
        int previous = Math.Max(options.MinBatchSize, Math.Min(options.MaxBatchSize, Math.Min(options.InitialBatchSize, BackfillOptions.FirstBatchCap)));
        options.Progress = progress =>
        {
            inner?.Invoke(progress);
            lock (_batches)
                _batches.Add((clock.Elapsed.TotalMilliseconds - start, progress.LastBatchDuration.TotalMilliseconds, previous));
            previous = progress.NextBatchSize;
        };
    }

    public void Print()
    {
        if (_batches.Count == 0)
            return;
        double[] sorted = _batches.Select(b => b.DurationMs).OrderBy(d => d).ToArray();
        var longest = _batches.OrderByDescending(b => b.DurationMs).First();
        string firstTen = string.Join(", ", _batches.Take(10).Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Rows}:{b.DurationMs:0}")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  batches: {sorted.Length}, duration p50 {sorted[sorted.Length / 2]:0} / p99 {sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))]:0} / max {sorted[^1]:0} ms (the longest: {longest.Rows} rows, ended {longest.EndMs / 1000:0.00}s); first ten rows:ms {firstTen}"));
    }
}
