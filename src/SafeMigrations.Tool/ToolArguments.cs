using System;
using System.Collections.Generic;
using System.Linq;
using SafeMigrations.Runner;

namespace SafeMigrations.Tool
{
    /// <summary>
    /// The command line: a command, the project options <c>dotnet ef</c> has, and the runner's own options, which are
    /// passed through unchanged when the command takes them (<see cref="RunnerProtocol.CommandOptions"/>; the runner
    /// checks their values and reports a bad one with its code).
    /// </summary>
    internal sealed class ToolArguments
    {
        public const string Usage = @"usage: dotnet safemigrations <command> [options]

commands:
  plan       the steps each pending migration becomes (no database needed without a connection)
  apply      run a phase: --phase Expand (before the rollout, the default), Contract (after it) or All
  status     per migration: pending, partially expanded, expanded (contract pending), applied
  rollback   undo completed expand steps of migrations whose contract has not run [--target <migration>]
  verify     replay every migration on a throwaway PostgreSQL and check locks, rewrites and schema
  script     the phased SQL scripts (expand.sql, contract.sql) for a DBA [--output <dir>] [--from <migration>] [--to <migration>]
  bundle     a self-contained executable for CD: bundle --runtime linux-x64 [--output <dir>]
  stats      a read-only statistics snapshot of the database (row estimates, sizes, write rates) to commit next to
             the migrations [--output <file.json>] (default: safemigrations.stats.json in the project) [--interval <s>]

project options (as dotnet ef):
  -p|--project <path>           the project with the DbContext and migrations (default: the one in the current directory)
  -s|--startup-project <path>   the project whose dependencies run them (default: --project)
  -c|--context <name>           the DbContext, when the assembly has several (not stats, which loads none)
  -f|--framework <tfm>          the target framework, for a multi-targeted project
  --configuration <name>        Debug or Release (default: Debug)
  --no-build                    do not build the project first
  -v|--verbose                  every step's detail and the commands the tool runs

engine options (each command takes only those it uses, and refuses the others):
  plan, apply: --phase Expand|Contract|All
  plan, apply, rollback, verify: --target <migration> (rollback: the migration to roll back to)
  apply, rollback, verify, script: --lock-timeout <ms>
  apply, rollback: --lock-retries <n>
  plan, apply, status, rollback, stats: --statement-timeout <ms>
  plan, apply, status, rollback, verify: --report <path.md>
  apply: --index-wait-timeout <ms>  --accept-edited <migration>
  apply --phase Contract: --contract-gate check|skip  --contract-gate-window <ms> (see docs/contract-gate.md)
  apply: --max-replica-lag <MB>  --max-replica-lag-time <ms>  --latency-probe <sql>  --latency-factor <x>  --max-pacing-pause <ms>
         --backfill-workers <n> (connections each backfill/batched delete runs its key segments on; default 1)
  verify: --lock-budget <ms>  --sarif <path.sarif>  --data-change-share <0..1>  --time-zone <zone>
          --start-after <migration> (the last one deployed before SafeMigrations: applied, not judged)
  plan, verify: --statistics <file.json> (default: safemigrations.stats.json in the project, when it exists)

bundle options:
  -r|--runtime <rid>            the runtime identifier to build for (default: this machine's)
  -o|--output <dir>             where to write the bundle (default: the current directory)

The connection string is read from the " + RunnerProtocol.ConnectionVariable + @" environment variable, never from the command line.";

        /// <summary>The tool's own command; the others are the runner's.</summary>
        public const string Bundle = "bundle";

        private static readonly string[] Commands = RunnerProtocol.Commands.All.Concat(new[] { Bundle }).ToArray();

        public string Command { get; private set; } = string.Empty;

        public string? Project { get; private set; }

        public string? StartupProject { get; private set; }

        public string? Context { get; private set; }

        public string? Framework { get; private set; }

        public string? Configuration { get; private set; }

        public string? Runtime { get; private set; }

        public string? Output { get; private set; }

        public bool NoBuild { get; private set; }

        public bool Verbose { get; private set; }

        public bool Help { get; private set; }

        /// <summary>Engine options, as <c>--name value</c> pairs in the order given.</summary>
        public List<string> RunnerOptions { get; } = new List<string>();

        /// <exception cref="ToolException">SM1001 for an unknown command or option, a missing value, or a connection on the command line.</exception>
        public static ToolArguments Parse(IReadOnlyList<string> args)
        {
            var parsed = new ToolArguments();
            if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
            {
                parsed.Help = true;
                return parsed;
            }
            string command = args[0].ToLowerInvariant();
            if (Array.IndexOf(Commands, command) < 0)
                throw new ToolException(ToolException.Configuration, $"unknown command {CommandLineText.Shown(args[0])}; the commands are {string.Join(", ", Commands)} (dotnet safemigrations --help).");
            parsed.Command = command;
            for (int i = 1; i < args.Count; i++)
            {
                string arg = args[i];
                switch (arg)
                {
                    case "-h":
                    case "--help":
                        parsed.Help = true;
                        continue;
                    case "--no-build":
                        parsed.NoBuild = true;
                        continue;
                    case "-v":
                    case "--verbose":
                        parsed.Verbose = true;
                        continue;
                }
                if (!arg.StartsWith("-", StringComparison.Ordinal))
                    throw new ToolException(ToolException.Configuration, $"unexpected argument {CommandLineText.Shown(arg)}; options are --name value (dotnet safemigrations --help).");
                string name = arg.ToLowerInvariant();
                // Also --connection=..., --conn and --connectionstring: refused whole, never echoed or passed on.
                if (name.StartsWith("--conn", StringComparison.Ordinal))
                    throw new ToolException(ToolException.Configuration, $"{arg.Split('=')[0]} is not accepted: a connection string on a command line ends up in shell history and process lists. Set the {RunnerProtocol.ConnectionVariable} environment variable instead.");
                if (name == Option(RunnerProtocol.Options.Assembly))
                    throw new ToolException(ToolException.Configuration, "--assembly is not an option of the tool: it builds the project and finds the assembly itself; use --project (and --startup-project).");
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new ToolException(ToolException.Configuration, $"{(CommandLineText.IsWord(arg) ? arg : "an option written as --name=value")} needs a value; write --name value (dotnet safemigrations --help).");
                string value = args[++i];
                switch (name)
                {
                    case "-p":
                    case "--project":
                        parsed.Project = value;
                        break;
                    case "-s":
                    case "--startup-project":
                        parsed.StartupProject = value;
                        break;
                    case "-c":
                    case RunnerProtocol.OptionPrefix + RunnerProtocol.Options.Context:
                        // bundle keeps it as the bundle's default; stats loads no DbContext and would ignore it.
                        if (command != Bundle && !RunnerProtocol.CommandOptions.Takes(command, RunnerProtocol.Options.Context))
                            throw new ToolException(ToolException.Configuration, CommandLineText.UnknownOption(command, Option(RunnerProtocol.Options.Context)) + " (dotnet safemigrations --help).");
                        parsed.Context = value;
                        break;
                    case "-f":
                    case "--framework":
                        parsed.Framework = value;
                        break;
                    case "--configuration":
                        parsed.Configuration = value;
                        break;
                    case "-r":
                    case "--runtime":
                        parsed.Runtime = RequireBundle(parsed, arg, value);
                        break;
                    case "-o":
                    case RunnerProtocol.OptionPrefix + RunnerProtocol.Options.Output:
                        if (RunnerProtocol.CommandOptions.Takes(command, RunnerProtocol.Options.Output))
                        {
                            // script's directory for expand.sql and contract.sql, or the stats file: the runner writes them.
                            parsed.RunnerOptions.Add(Option(RunnerProtocol.Options.Output));
                            parsed.RunnerOptions.Add(value);
                            break;
                        }
                        parsed.Output = RequireBundle(parsed, arg, value);
                        break;
                    default:
                        if (!name.StartsWith("--", StringComparison.Ordinal))
                            throw new ToolException(ToolException.Configuration, $"unknown option {CommandLineText.Shown(arg)} (dotnet safemigrations --help).");
                        if (!CommandLineText.IsWord(name))
                            throw new ToolException(ToolException.Configuration, "an option written as --name=value is not understood (and not repeated here: its value may hold a secret); write --name value (dotnet safemigrations --help).");
                        if (command == Bundle)
                            throw new ToolException(ToolException.Configuration, $"{arg} is not a bundle option: give it to the bundle when it runs (safemigrations-bundle apply {arg} {(CommandLineText.IsWord(value) ? value : "<value>")}).");
                        // Refused here, before the build, with the runner's own message.
                        if (!RunnerProtocol.CommandOptions.Takes(command, name.Substring(RunnerProtocol.OptionPrefix.Length)))
                            throw new ToolException(ToolException.Configuration, CommandLineText.UnknownOption(command, name) + " (dotnet safemigrations --help).");
                        parsed.RunnerOptions.Add(name);
                        parsed.RunnerOptions.Add(value);
                        break;
                }
            }
            return parsed;
        }

        private static string Option(string name) => RunnerProtocol.OptionPrefix + name;

        private static string RequireBundle(ToolArguments parsed, string option, string value)
        {
            if (parsed.Command != Bundle)
                throw new ToolException(ToolException.Configuration, $"{option} is an option of bundle only.");
            return value;
        }
    }
}
