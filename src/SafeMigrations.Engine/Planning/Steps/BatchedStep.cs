namespace SafeMigrations.Engine.Planning.Steps
{
    /// <summary>What the keyset-batched kinds (<see cref="BackfillPlan"/>, <see cref="DeleteInBatchesPlan"/>) share.</summary>
    internal static class BatchedStep
    {
        /// <summary>The lock of a step run in keyset batches, each its own transaction.</summary>
        public static string Lock(string qualifiedTable) => $"ROW EXCLUSIVE on {qualifiedTable}; each batch's rows locked until that batch commits";
    }
}
