using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Verifying;

namespace SafeMigrations.Runner
{
    /// <summary>
    /// <c>verify</c>: replays every migration through the engine on a throwaway database (a throwaway cluster when no
    /// connection is given) and fails on a blocking lock over budget, a table rewrite, a failing step or a schema that
    /// differs from plain EF Core's. Always expand, contract and a rollback round trip, so no <c>--phase</c>; options in <see cref="RunnerProtocol.CommandOptions"/>.
    /// </summary>
    internal static class VerifyCommand
    {
        public static int Run(Dictionary<string, string> options, string assembly, string? connection, IEngineLog log, CancellationToken cancellationToken)
        {
            var verify = new VerifyOptions
            {
                AssemblyPath = assembly,
                ServerConnectionString = string.IsNullOrWhiteSpace(connection) ? null : connection,
                ContextName = OptionValues.Value(options, RunnerProtocol.Options.Context),
                Target = OptionValues.Value(options, RunnerProtocol.Options.Target),
                ReportPath = OptionValues.Value(options, RunnerProtocol.Options.Report),
                SarifPath = OptionValues.Value(options, RunnerProtocol.Options.Sarif),
                StatisticsPath = OptionValues.Value(options, RunnerProtocol.Options.Statistics),
                StartAfter = OptionValues.Value(options, RunnerProtocol.Options.StartAfter),
                Log = log,
            };
            if (OptionValues.PositiveMilliseconds(options, RunnerProtocol.Options.LockTimeout) is TimeSpan lockTimeout)
                verify.LockTimeout = lockTimeout;
            if (OptionValues.Value(options, RunnerProtocol.Options.TimeZone) is string zone)
                verify.SessionTimeZone = zone;
            if (OptionValues.PositiveMilliseconds(options, RunnerProtocol.Options.LockBudget) is TimeSpan lockBudget)
                verify.LockBudget = lockBudget;
            if (OptionValues.Value(options, RunnerProtocol.Options.DataChangeShare) is string share)
                verify.DataChangeShare = Share(share);

            VerifyResult result = MigrationVerifier.RunAsync(verify, cancellationToken).GetAwaiter().GetResult();
            return result.Passed ? 0 : 1;
        }

        private static double Share(string text)
        {
            if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double share) || share <= 0 || share > 1)
                throw new EngineException(EngineCodes.Configuration, $"--data-change-share must be a fraction of a table's rows above 0 and at most 1 (e.g. 0.5), not '{text}'.");
            return share;
        }
    }
}
