using System;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Analyzers.Reading;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>What the rest of a migration does to a table or column a step drops or renames: messages describe the whole migration.</summary>
    internal static class LaterSteps
    {
        /// <summary>A column added later in the method under <paramref name="column"/>'s name, or null.</summary>
        public static AddedColumn? AddsColumn(MigrationModel model, TableName table, string column, int stepIndex, int statementIndex = -1)
        {
            foreach (var (step, statement) in After(model, stepIndex, statementIndex))
            {
                if (statement is null)
                {
                    if (step.IsBuilderMethod("AddColumn") && step.Table == table && string.Equals(step.Name, column, StringComparison.Ordinal))
                    {
                        return new AddedColumn(step.GetString("type") ?? HistoryReader.ClrStoreType(step));
                    }

                    continue;
                }

                if (statement.Kind == StatementKind.AlterTable && TableName.From(statement.Table) == table)
                {
                    foreach (var action in statement.Actions)
                    {
                        if (action.Kind == AlterTableActionKind.AddColumn && string.Equals(action.Column, column, StringComparison.Ordinal))
                        {
                            return new AddedColumn(action.DataType);
                        }
                    }
                }
            }

            return null;
        }

        /// <summary>True when the method creates <paramref name="table"/> again later (CreateTable or raw CREATE TABLE).</summary>
        public static bool CreatesTable(MigrationModel model, TableName table, int stepIndex, int statementIndex = -1)
        {
            foreach (var (step, statement) in After(model, stepIndex, statementIndex))
            {
                if (statement is null ? step.IsBuilderMethod("CreateTable") && step.Table == table
                                      : statement.Kind == StatementKind.CreateTable && TableName.From(statement.Table) == table)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Builder steps (statement null) and constant SQL statements after the given position, in order.</summary>
        private static System.Collections.Generic.IEnumerable<(MigrationStep Step, SqlStatement? Statement)> After(MigrationModel model, int stepIndex, int statementIndex)
        {
            foreach (var step in model.Steps)
            {
                if (step.Index < stepIndex)
                {
                    continue;
                }

                if (step.Sql is { IsConstant: true } sql)
                {
                    for (var i = step.Index == stepIndex ? statementIndex + 1 : 0; i < sql.Statements.Count; i++)
                    {
                        yield return (step, sql.Statements[i]);
                    }
                }
                else if (step.Index > stepIndex)
                {
                    yield return (step, null);
                }
            }
        }
    }

    /// <summary>A column a later step adds; <see cref="StoreType"/> null when not known.</summary>
    internal sealed class AddedColumn
    {
        public AddedColumn(string? storeType)
        {
            StoreType = storeType;
        }

        public string? StoreType { get; }
    }
}
