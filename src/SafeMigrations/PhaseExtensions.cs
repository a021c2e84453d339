using System;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;
using SafeMigrations.Internal;

namespace SafeMigrations;

/// <summary>
/// Phase marks for the operation builders that <see cref="Microsoft.EntityFrameworkCore.Migrations.MigrationBuilder"/> returns.
/// </summary>
/// <remarks>
/// EF Core's derived builders hide <c>Annotation(...)</c> with versions that return the derived type, so there is an
/// overload per builder type: the mark never costs the caller the rest of the chain
/// (<c>.InContractPhase().OldAnnotation(...)</c>, <c>.InContractPhase().PrimaryKey(...)</c>).
/// </remarks>
public static class PhaseExtensions
{
    /// <summary>
    /// Runs this operation in the contract phase, after every instance runs the new application version.
    /// Sets the <see cref="SafeMigrationsAnnotations.Phase"/> annotation to <see cref="SafeMigrationsAnnotations.Contract"/>.
    /// </summary>
    /// <typeparam name="TOperation">The type of the operation.</typeparam>
    /// <param name="builder">The builder returned by a <c>MigrationBuilder</c> method.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static OperationBuilder<TOperation> InContractPhase<TOperation>(this OperationBuilder<TOperation> builder)
        where TOperation : MigrationOperation
    {
        Mark(builder);
        return builder;
    }

    /// <summary>
    /// Runs this alter operation in the contract phase, after every instance runs the new application version.
    /// Sets the <see cref="SafeMigrationsAnnotations.Phase"/> annotation to <see cref="SafeMigrationsAnnotations.Contract"/>.
    /// </summary>
    /// <typeparam name="TOperation">The type of the operation.</typeparam>
    /// <param name="builder">The builder returned by a <c>MigrationBuilder.Alter...</c> method.</param>
    /// <returns>The same builder, for chaining (<c>.OldAnnotation(...)</c> stays available).</returns>
    public static AlterOperationBuilder<TOperation> InContractPhase<TOperation>(this AlterOperationBuilder<TOperation> builder)
        where TOperation : MigrationOperation, IAlterMigrationOperation
    {
        Mark(builder);
        return builder;
    }

    /// <summary>
    /// Runs this table creation in the contract phase, after every instance runs the new application version.
    /// Sets the <see cref="SafeMigrationsAnnotations.Phase"/> annotation to <see cref="SafeMigrationsAnnotations.Contract"/>.
    /// </summary>
    /// <typeparam name="TColumns">The anonymous type of the table's columns.</typeparam>
    /// <param name="builder">The builder returned by <c>MigrationBuilder.CreateTable</c>.</param>
    /// <returns>The same builder, for chaining (<c>.PrimaryKey(...)</c> and friends stay available).</returns>
    public static CreateTableBuilder<TColumns> InContractPhase<TColumns>(this CreateTableBuilder<TColumns> builder)
    {
        Mark(builder);
        return builder;
    }

    private static void Mark<TOperation>(OperationBuilder<TOperation> builder)
        where TOperation : MigrationOperation
    {
        if (builder is null)
        {
            throw new ArgumentNullException(nameof(builder));
        }

        // A safe step of several operations moves as a whole: marking only its last operation would split it.
        if (builder is SafeStepBuilder step)
        {
            foreach (var operation in step.Operations)
            {
                operation[SafeMigrationsAnnotations.Phase] = SafeMigrationsAnnotations.Contract;
            }

            return;
        }

        // The indexer sets or replaces; Annotation(...) would throw when the mark is applied twice.
        ((IInfrastructure<TOperation>)builder).Instance[SafeMigrationsAnnotations.Phase] = SafeMigrationsAnnotations.Contract;
    }
}
