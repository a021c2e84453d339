using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace SafeMigrations.Runner
{
    /// <summary>
    /// How an error message may show a command-line argument: quoted when it reads as one plain word or option name,
    /// else not at all. A mistyped command line often carries a connection string (positional, or --connection=...),
    /// and a message must not repeat its password. Compiled into the tool as well.
    /// </summary>
    internal static class CommandLineText
    {
        public const string NotShown = "an argument that is not repeated here (it looks like a value, and may hold a secret)";

        public static string Shown(string argument) => IsWord(argument) ? "'" + argument + "'" : NotShown;

        /// <summary>A plain word, path-like token or option name: no '=', ';', quote or space, at most 60 characters.</summary>
        public static bool IsWord(string text)
            => text.Length > 0 && text.Length <= 60 && Regex.IsMatch(text, @"^-{0,2}[A-Za-z0-9][A-Za-z0-9_.\-/\\]*$");

        /// <summary>
        /// "unknown option '--phase' for stats (plan, apply, status, rollback and verify take it)", or without the
        /// parenthesis when no command takes it: the message of the runner and the tool alike.
        /// </summary>
        public static string UnknownOption(string command, string argument)
        {
            string name = argument.StartsWith(RunnerProtocol.OptionPrefix, StringComparison.Ordinal) ? argument.Substring(RunnerProtocol.OptionPrefix.Length) : argument;
            IReadOnlyList<string> takers = RunnerProtocol.CommandOptions.TakenBy(name);
            return takers.Count == 0
                ? "unknown option " + Shown(argument)
                : $"unknown option {Shown(argument)} for {command} ({Listed(takers)} take{(takers.Count == 1 ? "s" : string.Empty)} it)";
        }

        /// <summary>"plan", "plan and verify", "plan, apply and status".</summary>
        public static string Listed(IReadOnlyList<string> names)
            => names.Count <= 1 ? string.Join(string.Empty, names) : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[names.Count - 1];
    }
}
