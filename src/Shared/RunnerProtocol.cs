using System;
using System.Collections.Generic;

namespace SafeMigrations
{
    /// <summary>
    /// What the runner (SafeMigrations.Runner) and the MSBuild task that starts it (SafeMigrations.Build) must agree on:
    /// command and option names, the output line protocol, the environment variables, exit codes and the SM codes the
    /// task writes itself, and which options each command takes. This one file is linked into the runner, the task and the
    /// .NET tool (the netstandard2.0 task cannot reference the net8.0 engine, and the tool must not load it), so a name is
    /// changed in one place; tests/SafeMigrations.Build.Tests checks the runner and the task agree.
    /// </summary>
    internal static class RunnerProtocol
    {
        /// <summary>Put before an option name on the command line: <c>--lock-timeout 5000</c>.</summary>
        public const string OptionPrefix = "--";

        /// <summary>The connection string reaches the runner only through this environment variable (never a command line, which gets logged).</summary>
        public const string ConnectionVariable = "SAFEMIGRATIONS_CONNECTION";

        /// <summary>The process id the runner outlives no longer than (the build, or the MSBuild node running it).</summary>
        public const string ParentPidVariable = "SAFEMIGRATIONS_PARENT_PID";

        /// <summary>A file whose appearance asks the runner for a clean stop (a cancelled build).</summary>
        public const string StopFileVariable = "SAFEMIGRATIONS_STOP_FILE";

        /// <summary>The runner's exit code when the command did what was asked.</summary>
        public const int ExitSuccess = 0;

        /// <summary>The runner's exit code otherwise; an <c>error:</c> line says why.</summary>
        public const int ExitFailure = 1;

        /// <summary>The first argument of the runner.</summary>
        public static class Commands
        {
            public const string Plan = "plan";
            public const string Apply = "apply";
            public const string Status = "status";
            public const string Rollback = "rollback";
            public const string Verify = "verify";
            public const string Script = "script";
            public const string Stats = "stats";

            /// <summary>Every command the runner takes.</summary>
            public static readonly string[] All = { Plan, Apply, Status, Rollback, Verify, Script, Stats };

            /// <summary>The commands the MSBuild task runs (one target each); <c>script</c> is for the CLI only.</summary>
            public static readonly string[] ForTask = { Plan, Apply, Status, Rollback, Verify, Stats };
        }

        /// <summary>Option names, without <see cref="OptionPrefix"/>. Which command takes which is <see cref="CommandOptions"/>.</summary>
        public static class Options
        {
            public const string Assembly = "assembly";
            public const string Connection = "connection";
            public const string Context = "context";
            public const string Phase = "phase";
            public const string Target = "target";
            public const string LockTimeout = "lock-timeout";
            public const string LockRetries = "lock-retries";
            public const string StatementTimeout = "statement-timeout";
            public const string IndexWaitTimeout = "index-wait-timeout";
            public const string AcceptEdited = "accept-edited";
            public const string ContractGate = "contract-gate";
            public const string ContractGateWindow = "contract-gate-window";
            public const string Report = "report";
            public const string Statistics = "statistics";
            public const string LockBudget = "lock-budget";
            public const string Sarif = "sarif";
            public const string DataChangeShare = "data-change-share";
            public const string TimeZone = "time-zone";
            public const string StartAfter = "start-after";
            public const string Output = "output";
            public const string From = "from";
            public const string To = "to";
            public const string Interval = "interval";
            public const string MaxReplicaLag = "max-replica-lag";
            public const string MaxReplicaLagTime = "max-replica-lag-time";
            public const string LatencyProbe = "latency-probe";
            public const string LatencyFactor = "latency-factor";
            public const string MaxPacingPause = "max-pacing-pause";
            public const string BackfillWorkers = "backfill-workers";
        }

        /// <summary>
        /// Which options each command takes: the runner refuses any other (SM1001), the task passes only these, the tool
        /// refuses the others before it builds. Every option is <c>--name value</c>; none is a bare flag. A command takes
        /// only what it uses: an option it would ignore is refused, so nobody believes it did something.
        /// </summary>
        public static class CommandOptions
        {
            // Which app, which DbContext, which database: what loads the migrations (stats loads none, see below).
            private static readonly string[] App = { Options.Assembly, Options.Connection, Options.Context };

            // What the engine's commands read. Every session they open has the client-side statement timeout, and each
            // run can write a report; plan and apply pick steps by phase; lock_timeout and its retries bound the
            // blocking statements of apply (steps, history row) and rollback (undos, history row).
            private static readonly Dictionary<string, string[]> Table = new Dictionary<string, string[]>(StringComparer.Ordinal)
            {
                [Commands.Plan] = Join(App, new[] { Options.Phase, Options.Target, Options.StatementTimeout, Options.Report, Options.Statistics }),
                [Commands.Apply] = Join(App,
                    new[] { Options.Phase, Options.Target, Options.LockTimeout, Options.LockRetries, Options.StatementTimeout, Options.Report },
                    new[] { Options.IndexWaitTimeout, Options.AcceptEdited, Options.ContractGate, Options.ContractGateWindow },
                    new[] { Options.MaxReplicaLag, Options.MaxReplicaLagTime, Options.LatencyProbe, Options.LatencyFactor, Options.MaxPacingPause, Options.BackfillWorkers }),
                // Every migration, whatever the phase or target.
                [Commands.Status] = Join(App, new[] { Options.StatementTimeout, Options.Report }),
                // Undoes expand steps only, newest first down to the target: no phase to choose.
                [Commands.Rollback] = Join(App, new[] { Options.Target, Options.LockTimeout, Options.LockRetries, Options.StatementTimeout, Options.Report }),
                // Always expand, contract and a rollback round trip, on throwaway databases: no phase, no retries, no statement timeout.
                [Commands.Verify] = Join(App, new[] { Options.Target, Options.LockTimeout, Options.Report, Options.Statistics, Options.LockBudget, Options.Sarif, Options.DataChangeShare, Options.TimeZone, Options.StartAfter }),
                [Commands.Script] = Join(App, new[] { Options.LockTimeout, Options.Output, Options.From, Options.To }),
                // No app is loaded: the assembly only says where Npgsql is.
                [Commands.Stats] = new[] { Options.Assembly, Options.Connection, Options.StatementTimeout, Options.Output, Options.Interval },
            };

            /// <summary>The options <paramref name="command"/> takes, in the order the usage lists them; none for an unknown command.</summary>
            public static IReadOnlyList<string> Of(string command)
                => Table.TryGetValue(command, out string[]? options) ? options : Array.Empty<string>();

            /// <summary>True when <paramref name="command"/> takes <paramref name="option"/> (a name without the prefix, as written: case matters).</summary>
            public static bool Takes(string command, string option)
                => Table.TryGetValue(command, out string[]? options) && Array.IndexOf(options, option) >= 0;

            /// <summary>The commands that take <paramref name="option"/>, in the order of <see cref="Commands.All"/>.</summary>
            public static IReadOnlyList<string> TakenBy(string option)
            {
                var commands = new List<string>();
                foreach (string command in Commands.All)
                {
                    if (Takes(command, option))
                        commands.Add(command);
                }
                return commands;
            }

            private static string[] Join(params string[][] groups)
            {
                var options = new List<string>();
                foreach (string[] group in groups)
                    options.AddRange(group);
                return options.ToArray();
            }
        }

        /// <summary>
        /// The output protocol: one message per line, <c>kind: [SMxxxx: ]message</c>, e.g.
        /// <c>error: SM1002: 20240101000000_AddIndex step 3 (...): what happened; what to do</c>.
        /// </summary>
        public static class Lines
        {
            public const string Info = "info";
            public const string Progress = "progress";
            public const string Warning = "warn";
            public const string Error = "error";

            /// <summary>Between the kind and the code, and between the code and the message.</summary>
            public const string Separator = ": ";
        }

        /// <summary>The engine's codes (Engine/Reporting/EngineCodes.cs) that the task writes itself.</summary>
        public static class Codes
        {
            /// <summary>A configuration problem: unknown command, missing runner, connection in two places.</summary>
            public const string Configuration = "SM1001";

            /// <summary>An <c>error:</c> line that came without a code.</summary>
            public const string StepFailed = "SM1002";

            /// <summary>The application assembly does not exist.</summary>
            public const string NotFound = "SM1007";
        }
    }
}
