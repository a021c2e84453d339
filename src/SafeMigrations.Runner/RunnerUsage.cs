using System;
using System.Collections.Generic;
using System.Linq;
using static SafeMigrations.RunnerProtocol;

namespace SafeMigrations.Runner
{
    /// <summary>
    /// The usage text, written from <see cref="CommandOptions"/>: it lists exactly what <see cref="RunnerCommand.Parse"/>
    /// takes, grouped by the commands that take each option.
    /// </summary>
    internal static class RunnerUsage
    {
        // What each option's value looks like.
        private static readonly Dictionary<string, string> Values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Options.Assembly] = "<app.dll>",
            [Options.Connection] = "<string>",
            [Options.Context] = "<DbContext>",
            [Options.Phase] = "Expand|Contract|All",
            [Options.Target] = "<migration>",
            [Options.LockTimeout] = "<ms>",
            [Options.LockRetries] = "<n>",
            [Options.StatementTimeout] = "<ms>",
            [Options.IndexWaitTimeout] = "<ms>",
            [Options.AcceptEdited] = "<migration>",
            [Options.ContractGate] = "check|skip",
            [Options.ContractGateWindow] = "<ms>",
            [Options.Report] = "<path.md>",
            [Options.Statistics] = "<file.json>",
            [Options.LockBudget] = "<ms>",
            [Options.Sarif] = "<path.sarif>",
            [Options.DataChangeShare] = "<0..1>",
            [Options.TimeZone] = "<zone>",
            [Options.StartAfter] = "<migration>",
            [Options.Output] = "<path>",
            [Options.From] = "<migration>",
            [Options.To] = "<migration>",
            [Options.Interval] = "<s>",
            [Options.MaxReplicaLag] = "<MB>",
            [Options.MaxReplicaLagTime] = "<ms>",
            [Options.LatencyProbe] = "<sql>",
            [Options.LatencyFactor] = "<x>",
            [Options.MaxPacingPause] = "<ms>",
            [Options.BackfillWorkers] = "<n>",
        };

        // After Values, which it reads.
        public static readonly string Runner = "usage: SafeMigrations.Runner <" + string.Join("|", Commands.All) + "> [options]; "
            + OptionGroups(Commands.All)
            + "; stats needs no --assembly, script no database; verify without a connection uses a throwaway PostgreSQL;"
            + " --statistics defaults to safemigrations.stats.json in the working directory, when it exists;"
            + " script's --output is a directory, stats' the snapshot file (default safemigrations.stats.json);"
            + " --max-replica-lag and --max-replica-lag-time 0 = not watched";

        /// <summary>
        /// <c>every command: --assembly &lt;app.dll&gt; [--context &lt;DbContext&gt;]; plan and verify: [--statistics &lt;file.json&gt;]; ...</c>:
        /// the options of <paramref name="commands"/> but <paramref name="leftOut"/>, each group once, in the order first met.
        /// </summary>
        public static string OptionGroups(IReadOnlyList<string> commands, params string[] leftOut)
        {
            var groups = new List<KeyValuePair<string, List<string>>>();
            var listed = new HashSet<string>(leftOut, StringComparer.Ordinal);
            foreach (string option in commands.SelectMany(CommandOptions.Of))
            {
                if (!listed.Add(option))
                    continue;
                string[] takers = commands.Where(command => CommandOptions.Takes(command, option)).ToArray();
                string who = takers.Length == commands.Count ? "every command" : CommandLineText.Listed(takers);
                int group = groups.FindIndex(g => g.Key == who);
                if (group < 0)
                {
                    groups.Add(new KeyValuePair<string, List<string>>(who, new List<string>()));
                    group = groups.Count - 1;
                }
                string shown = OptionPrefix + option + " " + Values[option];
                groups[group].Value.Add(option == Options.Assembly ? shown : "[" + shown + "]");
            }
            return string.Join("; ", groups.Select(g => g.Key + ": " + string.Join(" ", g.Value)));
        }
    }
}
