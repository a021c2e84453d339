using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using SafeMigrations.Engine.Tests.Runtime;
using SafeMigrations.Engine.Tests.TestApp;

namespace SafeMigrations.Engine.Tests.Trust
{
    /// <summary>
    /// The test assembly's entry point (GenerateProgramFile is off): <c>dotnet SafeMigrations.Engine.Tests.dll inapp
    /// &lt;apply|rollback|status&gt; [--batch n] [--pause ms] [--wait ms] [--target id]</c> is an app that calls the in-app
    /// API on <see cref="PaymentsContext"/> at start-up, in a process of its own, so that a test can SIGKILL it or start
    /// two at once. The connection string comes from <see cref="ConnectionVariable"/>. Every log entry is printed as
    /// <c>log: &lt;level&gt; &lt;event&gt; &lt;category&gt;: &lt;message&gt;</c>; the end as <c>result: ...</c> (exit 0),
    /// <c>error: SMxxxx: ...</c> (exit 1) or <c>cancelled: ...</c> (exit 2).
    /// </summary>
    public static class InAppHostProgram
    {
        public const string ConnectionVariable = "SM_TEST_INAPP_CONNECTION";

        public static int Main(string[] args) => args.Length > 1 && args[0] == "inapp" ? RunAsync(args).GetAwaiter().GetResult() : 64;

        private static async Task<int> RunAsync(string[] args)
        {
            var options = new SafeMigrationOptions { LockTimeout = TimeSpan.FromMilliseconds(500), LockRetryBackoff = TimeSpan.FromMilliseconds(50) };
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 2; i + 1 < args.Length; i += 2)
                values[args[i]] = args[i + 1];
            if (values.TryGetValue("--batch", out string? batch))
                options.BackfillBatchSize = int.Parse(batch, CultureInfo.InvariantCulture);
            if (values.TryGetValue("--pause", out string? pause))
                options.BackfillPause = TimeSpan.FromMilliseconds(int.Parse(pause, CultureInfo.InvariantCulture));
            if (values.TryGetValue("--wait", out string? wait))
                options.AnotherInstanceWait = TimeSpan.FromMilliseconds(int.Parse(wait, CultureInfo.InvariantCulture));
            options.AnotherInstancePollInterval = TimeSpan.FromMilliseconds(200);
            options.TargetMigration = values.GetValueOrDefault("--target");
            var log = new CapturedLog { OnEntry = e => Console.Out.WriteLine($"log: {e.Level} {e.EventId.Name} {e.Category}: {e.Message}") };
            options.LoggerFactory = log.Factory;

            string connection = Environment.GetEnvironmentVariable(ConnectionVariable) ?? string.Empty;
            await using var context = new PaymentsContext(new DbContextOptionsBuilder<PaymentsContext>().UseNpgsql(connection).Options);
            try
            {
                SafeMigrationResult result = args[1] switch
                {
                    "rollback" => await context.Database.RollbackSafeMigrationAsync(options),
                    "status" => await context.Database.GetSafeMigrationStatusAsync(options),
                    _ => await context.Database.MigrateSafelyAsync(MigrationPhase.Expand, options),
                };
                Console.Out.WriteLine($"result: {result.Outcome} applied=[{string.Join(",", result.AppliedMigrations)}] rolledback=[{string.Join(",", result.RolledBackMigrations)}]");
                return 0;
            }
            catch (SafeMigrationsException exception)
            {
                Console.Out.WriteLine("error: " + exception.Message);
                return 1;
            }
            catch (OperationCanceledException exception)
            {
                Console.Out.WriteLine("cancelled: " + exception.Message);
                return 2;
            }
        }
    }
}
