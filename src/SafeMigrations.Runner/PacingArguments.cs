using System;
using System.Collections.Generic;
using System.Globalization;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Runner
{
    /// <summary>apply's pacing options: when backfills and batched deletes wait for lagging replicas or a slow app query, and on how many connections they run.</summary>
    internal static class PacingArguments
    {
        /// <summary>Sets the given options over the engine's defaults; SM1001 for a bad value.</summary>
        public static void Apply(IReadOnlyDictionary<string, string> options, EngineOptions engine)
        {
            PacingOptions pacing = engine.Pacing ??= new PacingOptions();
            if (OptionValues.Value(options, RunnerProtocol.Options.MaxReplicaLag) is string megabytes)
            {
                long value = WholeNumber(RunnerProtocol.Options.MaxReplicaLag, megabytes, "a number of megabytes (0: not watched)");
                pacing.MaxReplicaLagBytes = value == 0 ? null : value * PacingOptions.Megabyte;
            }
            if (OptionValues.Value(options, RunnerProtocol.Options.MaxReplicaLagTime) is string milliseconds)
            {
                long value = WholeNumber(RunnerProtocol.Options.MaxReplicaLagTime, milliseconds, "a number of milliseconds (0: not watched)");
                pacing.MaxReplicaLagTime = value == 0 ? null : TimeSpan.FromMilliseconds(value);
            }
            pacing.LatencyProbe = OptionValues.Value(options, RunnerProtocol.Options.LatencyProbe) ?? pacing.LatencyProbe;
            if (OptionValues.Value(options, RunnerProtocol.Options.LatencyFactor) is string factor)
            {
                if (!double.TryParse(factor, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value < 1 || value > 1000)
                    throw new EngineException(EngineCodes.Configuration, $"--latency-factor must be a number from 1 to 1000 (how many times its baseline the probe may take), not '{factor}'.");
                pacing.LatencyFactor = value;
            }
            if (OptionValues.PositiveMilliseconds(options, RunnerProtocol.Options.MaxPacingPause) is TimeSpan maxPause)
                pacing.MaxPause = maxPause;
            if (OptionValues.Value(options, RunnerProtocol.Options.BackfillWorkers) is string workers)
            {
                long value = WholeNumber(RunnerProtocol.Options.BackfillWorkers, workers, $"a number of connections from 1 to {BackfillOptions.MaxWorkers}");
                if (value < 1 || value > BackfillOptions.MaxWorkers)
                    throw new EngineException(EngineCodes.Configuration, $"--{RunnerProtocol.Options.BackfillWorkers} must be a number of connections from 1 to {BackfillOptions.MaxWorkers}, not '{workers}'.");
                engine.BackfillWorkers = (int)value;
            }
        }

        private static long WholeNumber(string name, string text, string what)
        {
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value > int.MaxValue)
                throw new EngineException(EngineCodes.Configuration, $"--{name} must be {what}, not '{text}'.");
            return value;
        }
    }
}
