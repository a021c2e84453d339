using System;
using System.Globalization;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>
    /// The seed of a test's random fault points: fresh each run (so runs explore different points), printed, and
    /// replayable with <c>SAFEMIGRATIONS_FAULT_SEED=&lt;seed&gt;</c>.
    /// </summary>
    internal static class FaultSeed
    {
        public const string Variable = "SAFEMIGRATIONS_FAULT_SEED";

        public static Random Create(ITestOutputHelper output, string test)
        {
            string? fixedSeed = Environment.GetEnvironmentVariable(Variable);
            int seed = int.TryParse(fixedSeed, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : Random.Shared.Next();
            output.WriteLine($"{test}: seed {seed} (replay with {Variable}={seed})");
            return new Random(seed);
        }
    }
}
