using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using SafeMigrations.Sql;

namespace SafeMigrations.Engine.Planning
{
    /// <summary>
    /// The undo of a plain EF <c>AlterColumn</c> step, from the operation's old* values: a dropped NOT NULL is set again
    /// (guarded: the rollback refuses while the column holds NULLs), a set NOT NULL dropped, the old default restored,
    /// EF's same-type TYPE clause needs nothing. A real type or collation change keeps no undo, with the reason.
    /// </summary>
    internal static class AlterColumnUndo
    {
        /// <summary>Sets the undo of a step that runs some of the statements the provider wrote for an AlterColumn.</summary>
        /// <param name="step">The step.</param>
        /// <param name="alter">The operation.</param>
        /// <param name="forward">The statements the step runs.</param>
        /// <param name="inverse">The provider's SQL for the reverse alter (old values as the new ones), read for the old default's SQL.</param>
        public static void Apply(PlanStep step, AlterColumnOperation alter, IReadOnlyList<SqlStatement> forward, Func<IReadOnlyList<SqlStatement>> inverse)
        {
            string qualified = SqlIdentifier.Qualify(alter.Schema, alter.Table);
            string column = SqlIdentifier.Quote(alter.Name);
            string alterColumn = $"ALTER TABLE {qualified} ALTER COLUMN {column}";
            var undo = new List<string>();
            UndoGuard? guard = null;
            foreach (SqlStatement statement in forward)
            {
                if (statement.Kind == StatementKind.Comment)
                {
                    string? comment = OldComment(alter, qualified, column, inverse);
                    if (comment is null)
                    {
                        step.NoUndoReason = $"the old comment of {column} could not be written as SQL; go back with a new forward migration";
                        return;
                    }
                    undo.Add(comment);
                    continue;
                }

                if (statement.Kind != StatementKind.AlterTable || statement.Actions.Count == 0)
                {
                    step.NoUndoReason = $"no automatic undo for {OneLine(statement.Text)}; go back with a new forward migration";
                    return;
                }

                foreach (AlterTableAction action in statement.Actions)
                {
                    switch (action.Kind)
                    {
                        case AlterTableActionKind.AlterColumnType:
                            string? reason = TypeChangeReason(alter, action);
                            if (reason is not null)
                            {
                                step.NoUndoReason = reason;
                                return;
                            }
                            break; // EF's same-type TYPE clause changes nothing
                        case AlterTableActionKind.DropNotNull when !alter.OldColumn.IsNullable:
                            undo.Add($"{alterColumn} SET NOT NULL;");
                            guard = new UndoGuard(
                                $"SELECT count(*) FROM {qualified} WHERE {column} IS NULL",
                                $"of {qualified} hold NULL in {column}, written since it became nullable; the undo sets it NOT NULL again, which they would fail",
                                $"fill them (UPDATE {qualified} SET {column} = <value> WHERE {column} IS NULL) and rerun the rollback, or go back with a new forward migration");
                            break;
                        case AlterTableActionKind.SetNotNull when alter.OldColumn.IsNullable:
                            undo.Add($"{alterColumn} DROP NOT NULL;");
                            break;
                        case AlterTableActionKind.DropNotNull:
                        case AlterTableActionKind.SetNotNull:
                            break; // nullability as it was: nothing changed
                        case AlterTableActionKind.SetDefault:
                        case AlterTableActionKind.DropDefault:
                            string? restore = OldDefault(alter, inverse);
                            if (restore is null)
                            {
                                step.NoUndoReason = $"the old default of {column} could not be written as SQL; go back with a new forward migration";
                                return;
                            }
                            undo.Add($"{alterColumn} {restore};");
                            break;
                        default:
                            step.NoUndoReason = $"no automatic undo for {OneLine(statement.Text)}; go back with a new forward migration";
                            return;
                    }
                }
            }

            undo.Reverse();
            if (undo.Count == 0)
            {
                step.NoUndoNeeded = true;
                return;
            }
            step.UndoSql = string.Join("\n", undo);
            step.UndoGuard = guard;
        }

        /// <summary>The reverse alter: the old values become the new ones.</summary>
        public static AlterColumnOperation Inverse(AlterColumnOperation alter)
        {
            var inverse = new AlterColumnOperation { Schema = alter.Schema, Table = alter.Table, Name = alter.Name };
            Copy(alter.OldColumn, inverse);
            var old = new AlterColumnOperation();
            Copy(alter, old);
            inverse.OldColumn = old;
            return inverse;
        }

        private static string? TypeChangeReason(AlterColumnOperation alter, AlterTableAction action)
        {
            string? newType = action.DataType ?? alter.ColumnType;
            string? oldType = alter.OldColumn.ColumnType;
            if (oldType is null || newType is null)
                return $"the migration does not record the old type of {SqlIdentifier.Quote(alter.Name)} (oldType), so the type change cannot be undone; go back with a new forward migration";
            if (ColumnTypes.Normalize(oldType) != ColumnTypes.Normalize(newType) || action.UsingExpression is not null)
                return $"changes the type of {SqlIdentifier.Quote(alter.Name)} from {oldType} to {newType}; changing it back may rewrite the table or fail on values the old type cannot hold, so it is not automatic: go back with a new forward migration";
            if (!string.Equals(alter.Collation, alter.OldColumn.Collation, StringComparison.Ordinal))
                return $"changes the collation of {SqlIdentifier.Quote(alter.Name)}; changing it back rebuilds its indexes, so it is not automatic: go back with a new forward migration";
            return null;
        }

        /// <summary><c>SET DEFAULT old</c> from the provider's reverse SQL, <c>DROP DEFAULT</c> when there was none; null when unknown.</summary>
        private static string? OldDefault(AlterColumnOperation alter, Func<IReadOnlyList<SqlStatement>> inverse)
        {
            bool hadDefault = alter.OldColumn.DefaultValue is not null || alter.OldColumn.DefaultValueSql is not null;
            if (!hadDefault)
                return "DROP DEFAULT";
            AlterTableAction? set;
            try
            {
                set = inverse()
                    .Where(s => s.Kind == StatementKind.AlterTable)
                    .SelectMany(s => s.Actions)
                    .FirstOrDefault(a => a.Kind == AlterTableActionKind.SetDefault && a.DefaultExpression is not null);
            }
            catch (Exception)
            {
                // Whatever the provider cannot write (a value without a type mapping...) only costs this step its
                // undo; planning the migration must not fail over it.
                return null;
            }
            return set is null ? null : "SET DEFAULT " + set.DefaultExpression!.Trim().TrimEnd(';').TrimEnd();
        }

        /// <summary>The provider's COMMENT statement for the old comment, <c>IS NULL</c> when there was none; null when unknown.</summary>
        private static string? OldComment(AlterColumnOperation alter, string qualified, string column, Func<IReadOnlyList<SqlStatement>> inverse)
        {
            if (alter.OldColumn.Comment is null)
                return $"COMMENT ON COLUMN {qualified}.{column} IS NULL;";
            try
            {
                SqlStatement? comment = inverse().FirstOrDefault(s => s.Kind == StatementKind.Comment);
                return comment is null ? null : comment.Text.Trim().TrimEnd(';').TrimEnd() + ";";
            }
            catch (Exception)
            {
                return null; // as for the default: only this step's undo is lost
            }
        }

        private static void Copy(ColumnOperation from, ColumnOperation to)
        {
            to.ClrType = from.ClrType;
            to.ColumnType = from.ColumnType;
            to.IsUnicode = from.IsUnicode;
            to.IsFixedLength = from.IsFixedLength;
            to.MaxLength = from.MaxLength;
            to.Precision = from.Precision;
            to.Scale = from.Scale;
            to.IsRowVersion = from.IsRowVersion;
            to.IsNullable = from.IsNullable;
            to.DefaultValue = from.DefaultValue;
            to.DefaultValueSql = from.DefaultValueSql;
            to.ComputedColumnSql = from.ComputedColumnSql;
            to.IsStored = from.IsStored;
            to.Comment = from.Comment;
            to.Collation = from.Collation;
            foreach (var annotation in from.GetAnnotations())
                to.AddAnnotation(annotation.Name, annotation.Value);
        }

        private static string OneLine(string sql) => string.Join(" ", sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }
}
