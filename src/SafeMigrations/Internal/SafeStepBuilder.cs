using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;

namespace SafeMigrations.Internal;

/// <summary>
/// The builder a safe step returns. It stands for every operation of the step, so a phase mark or an annotation
/// added to it lands on all of them: a step is never split between the expand and the contract phase.
/// </summary>
internal sealed class SafeStepBuilder : OperationBuilder<SqlOperation>
{
    public SafeStepBuilder(IReadOnlyList<SqlOperation> operations)
        : base(operations[operations.Count - 1])
    {
        Operations = operations;
    }

    /// <summary>The step's operations, in execution order.</summary>
    public IReadOnlyList<SqlOperation> Operations { get; }

    public override OperationBuilder<SqlOperation> Annotation(string name, object? value)
    {
        foreach (var operation in Operations)
        {
            operation.AddAnnotation(name, value);
        }

        return this;
    }
}
