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
    /// differs from plain EF Core's. Options as apply's, plus <c>--lock-budget</c>, <c>--data-change-share</c>, <c>--sarif</c> and <c>--time-zone</c>.
    /// </summary>
    internal static class VerifyCommand
    {
        public static int Run(Dictionary<string, string> options, string assembly, string? connection, IEngineLog log, CancellationToken cancellationToken)
        {
            var verify = new VerifyOptions
            {
                AssemblyPath = assembly,
                ServerConnectionString = string.IsNullOrWhiteSpace(connection) ? null : connection,
                ContextName = Value(options, "context"),
                Target = Value(options, "target"),
                ReportPath = Value(options, "report"),
                SarifPath = Value(options, "sarif"),
                Log = log,
            };
            if (Value(options, "lock-timeout") is string lockTimeout)
                verify.LockTimeout = TimeSpan.FromMilliseconds(Milliseconds("--lock-timeout", lockTimeout));
            if (Value(options, "time-zone") is string zone)
                verify.SessionTimeZone = zone;
            if (Value(options, "lock-budget") is string lockBudget)
                verify.LockBudget = TimeSpan.FromMilliseconds(Milliseconds("--lock-budget", lockBudget));
            if (Value(options, "data-change-share") is string share)
                verify.DataChangeShare = Share(share);
            if (Value(options, "phase") is string phase && !string.Equals(phase, "All", StringComparison.OrdinalIgnoreCase))
                log.Info($"--phase {phase} ignored: verify always runs expand, contract and a rollback round trip");

            VerifyResult result = MigrationVerifier.RunAsync(verify, cancellationToken).GetAwaiter().GetResult();
            return result.Passed ? 0 : 1;
        }

        private static string? Value(Dictionary<string, string> options, string name)
            => options.TryGetValue(name, out string? value) && !string.IsNullOrWhiteSpace(value) ? value : null;

        private static double Share(string text)
        {
            if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double share) || share <= 0 || share > 1)
                throw new EngineException(EngineCodes.Configuration, $"--data-change-share must be a fraction of a table's rows above 0 and at most 1 (e.g. 0.5), not '{text}'.");
            return share;
        }

        private static int Milliseconds(string option, string text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int milliseconds) || milliseconds <= 0)
                throw new EngineException(EngineCodes.Configuration, $"{option} must be a positive number of milliseconds, not '{text}'.");
            return milliseconds;
        }
    }
}
