using System;
using System.Collections.Generic;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Runner
{
    /// <summary>The runner's contract gate options: <c>--contract-gate check|skip</c> and <c>--contract-gate-window &lt;ms&gt;</c>.</summary>
    internal static class ContractGateOption
    {
        /// <summary>Sets the engine's gate from the options; SM1001 for a bad value.</summary>
        public static void Apply(IReadOnlyDictionary<string, string> options, EngineOptions engineOptions)
        {
            var gate = engineOptions.ContractGate ??= new Engine.Gate.ContractGateOptions();
            if (OptionValues.Value(options, RunnerProtocol.Options.ContractGate) is string mode)
            {
                if (string.Equals(mode, "skip", StringComparison.OrdinalIgnoreCase))
                    gate.Skip = true;
                else if (!string.Equals(mode, "check", StringComparison.OrdinalIgnoreCase))
                    throw new EngineException(EngineCodes.Configuration, $"--contract-gate must be check or skip, not '{mode}'.");
            }
            if (OptionValues.PositiveMilliseconds(options, RunnerProtocol.Options.ContractGateWindow) is TimeSpan window)
                gate.Window = window;
        }
    }
}
