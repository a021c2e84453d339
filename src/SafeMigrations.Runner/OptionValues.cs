using System;
using System.Collections.Generic;
using System.Globalization;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Runner
{
    /// <summary>Reads the runner's <c>--name value</c> options, with the same coded error for a bad value in every command.</summary>
    internal static class OptionValues
    {
        /// <summary>The option's value, or null when it is absent or blank.</summary>
        public static string? Value(IReadOnlyDictionary<string, string> options, string name)
            => options.TryGetValue(name, out string? value) && !string.IsNullOrWhiteSpace(value) ? value : null;

        /// <summary>A positive number of milliseconds, or null when the option is absent; SM1001 for anything else.</summary>
        public static TimeSpan? PositiveMilliseconds(IReadOnlyDictionary<string, string> options, string name)
        {
            if (Value(options, name) is not string value)
                return null;
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int milliseconds) || milliseconds <= 0)
                throw new EngineException(EngineCodes.Configuration, $"--{name} must be a positive number of milliseconds, not '{value}'.");
            return TimeSpan.FromMilliseconds(milliseconds);
        }
    }
}
