using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Statistics;

namespace SafeMigrations.Runner
{
    /// <summary>
    /// <c>stats</c>: takes a statistics snapshot of the database through a read-only session and writes it to
    /// <c>--output</c> (default <see cref="StatisticsSnapshot.DefaultFileName"/> in the working directory, the project's
    /// directory under MSBuild). Needs no app assembly: it reads catalogs and statistics views only.
    /// </summary>
    internal static class StatsCommand
    {
        public static int Run(IReadOnlyDictionary<string, string> options, string? connection, IEngineLog log, CancellationToken cancellationToken)
        {
            var sampler = new StatisticsSampler(connection) { Log = log };
            if (options.TryGetValue(RunnerProtocol.Options.Interval, out string? interval) && !string.IsNullOrWhiteSpace(interval))
            {
                if (!int.TryParse(interval, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) || seconds > 3600)
                    throw new EngineException(EngineCodes.Configuration, $"--interval must be a whole number of seconds from 0 (no write rates) to 3600, not '{interval}'.");
                sampler.Interval = TimeSpan.FromSeconds(seconds);
            }
            if (OptionValues.PositiveMilliseconds(options, RunnerProtocol.Options.StatementTimeout) is TimeSpan statementTimeout)
                sampler.StatementTimeout = statementTimeout;
            string output = Path.GetFullPath(options.TryGetValue(RunnerProtocol.Options.Output, out string? path) && !string.IsNullOrWhiteSpace(path) ? path : StatisticsSnapshot.DefaultFileName);
            string? directory = Path.GetDirectoryName(output);
            if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
                throw new EngineException(EngineCodes.Configuration, $"--output: the folder '{directory}' does not exist; create it or choose another path.");

            StatisticsSnapshot snapshot = sampler.TakeAsync(cancellationToken).GetAwaiter().GetResult();
            try
            {
                snapshot.Write(output);
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
            {
                throw new EngineException(EngineCodes.Configuration, $"cannot write the statistics snapshot to '{output}': {exception.Message}", exception);
            }
            log.Info($"statistics snapshot: {snapshot.Tables.Count} table(s), " + (snapshot.IntervalSeconds > 0 ? $"write rates over {snapshot.IntervalSeconds} s" : "no write rates (--interval 0)") + $", written to {output}; commit it next to the migrations.");
            return 0;
        }
    }
}
