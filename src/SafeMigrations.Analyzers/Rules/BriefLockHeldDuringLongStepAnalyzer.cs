using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>
    /// SM0017: a brief-lock step (drop of a foreign key, check, primary key, unique constraint or index; AddColumn,
    /// AlterColumn, renames, DropColumn) before a long step (index build, validation scan, UPDATE/DELETE...) of the same
    /// transaction on a shared table: the brief step's ACCESS EXCLUSIVE is held for the whole long step, so reads wait
    /// too. Reported at the brief step, naming the long step; the code fix separates them (see <see cref="SeparationKey"/>).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class BriefLockHeldDuringLongStepAnalyzer : MigrationRuleAnalyzer
    {
        /// <summary>Property naming how the code fix separates the steps: <see cref="MoveAfter"/> or <see cref="CommitBefore"/>.</summary>
        public const string SeparationKey = "SafeMigrations.Separation";

        /// <summary>Move the brief step after the step at the diagnostic's first additional location (nothing up to there depends on it).</summary>
        public const string MoveAfter = "MoveAfter";

        /// <summary>End the transaction before the long step at the diagnostic's first additional location.</summary>
        public const string CommitBefore = "CommitBefore";

        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.BriefLockHeldDuringLongStep,
            title: "Do not hold a brief step's lock through a later long step of the same transaction",
            messageFormat: "{0} takes {1} on {2} and holds it until the migration commits, so {3} of {2} also wait while {5} at line {6} runs its {4}; {7}",
            category: RuleCategories.Locking,
            description: "A migration's steps run in one transaction under plain EF, and PostgreSQL releases every lock only at commit. A step that takes ACCESS EXCLUSIVE briefly (dropping a foreign key, which locks the principal table too, a check, a primary key, a unique constraint or an index; adding, altering, renaming or dropping a column) keeps that lock while a later index build, validation scan or data change of the same transaction runs on the same table: reads wait for the whole long step, not only writes. Move the brief step after the long step when nothing depends on it, or end the transaction between them.");

        /// <summary>
        /// Builder steps whose lock is brief (and that this rule reports). AddColumn and AlterColumn are left out: EF's
        /// scaffold puts them before the index and foreign key of a new column, whose own rules (SM0001, SM0008) already
        /// name the combined lock and whose fixes take the long step out of the transaction; a second warning is noise.
        /// </summary>
        private static readonly HashSet<string> BriefSteps = new HashSet<string>(StringComparer.Ordinal)
        {
            "DropForeignKey", "DropCheckConstraint", "DropPrimaryKey", "DropUniqueConstraint", "DropIndex",
            "RenameColumn", "RenameTable", "DropColumn",
        };

        /// <summary>Drops that nothing later in the method needs, unless it names the dropped object: these can move.</summary>
        private static readonly HashSet<string> MovableSteps = new HashSet<string>(StringComparer.Ordinal)
        {
            "DropForeignKey", "DropCheckConstraint", "DropPrimaryKey", "DropUniqueConstraint", "DropIndex",
        };

        /// <summary>Steps that change what a constraint or index stands on: a drop is not moved past them.</summary>
        private static readonly HashSet<string> ShapeChangingSteps = new HashSet<string>(StringComparer.Ordinal)
        {
            "AlterColumn", "DropColumn", "RenameColumn", "DropTable", "RenameTable", "AddPrimaryKey",
        };

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        // Small tables are judged by the long step's table (how long the lock is held), below.
        protected override RuleExemptions Exemptions => RuleExemptions.TablesCreatedEarlier | RuleExemptions.UndoInDown;

        protected override void Analyze(MigrationContext context)
        {
            var transactionLocks = TransactionLocks.For(context.Model);
            var reported = new HashSet<LockUnit>();
            foreach (var unit in transactionLocks.Units)
            {
                if (unit.Locks.LongWork is null || unit.Worse.Count == 0 || IsOnSmallTable(context, unit))
                {
                    continue;
                }

                foreach (var group in unit.Worse.GroupBy(held => held.Holder))
                {
                    var holder = group.Key;
                    if (holder.StatementIndex >= 0 || !BriefSteps.Contains(holder.Step.MethodName) || !reported.Add(holder))
                    {
                        continue;
                    }

                    var tables = group.Select(held => held.Table).ToList();
                    var mode = group.Max(held => held.Mode);
                    var waiting = CombinedImpact.Waiting(group.Select(held => unit.Locks.ModeOn(held.Table)).Max(), mode);
                    var moveAfter = MovableSteps.Contains(holder.Step.MethodName) ? LastMoveTarget(context.Model, transactionLocks, holder) : null;
                    var target = moveAfter ?? FirstLongStepAfter(context.Model, transactionLocks, holder, unit);
                    var remedy = moveAfter != null
                        ? "nothing up to " + (moveAfter == unit.Step ? "it" : Describe(moveAfter)) + " needs the drop: move it after " + (moveAfter == unit.Step ? "that step" : "it") + ", so the lock is taken once the work is done"
                        : "end the transaction in between: a migrationBuilder.Sql(..., suppressTransaction: true) call before the long step commits the migration's transaction there (or move one of them to another migration)";
                    context.Report(
                        Rule,
                        holder.Step,
                        new[] { target.Location },
                        ImmutableDictionary<string, string?>.Empty.Add(SeparationKey, moveAfter != null ? MoveAfter : CommitBefore),
                        holder.Description,
                        UnitLocks.Describe(mode),
                        CombinedImpact.Quote(tables),
                        waiting,
                        unit.Locks.LongWork,
                        unit.Description,
                        unit.Line.ToString(CultureInfo.InvariantCulture),
                        remedy);
                }
            }
        }

        private static string Describe(MigrationStep step) => step.MethodName + (step.Name is { } name ? " '" + name + "'" : string.Empty) + " at line " + (step.Location.GetLineSpan().StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture);

        /// <summary>
        /// Where the transaction is ended: before the first long step after the holder (up to the reported one), so one
        /// commit serves every brief step before it.
        /// </summary>
        private static MigrationStep FirstLongStepAfter(MigrationModel model, TransactionLocks transactionLocks, LockUnit holder, LockUnit reported)
        {
            foreach (var unit in transactionLocks.Units)
            {
                if (unit.Step.Index > holder.Step.Index && unit.Step.Index < reported.Step.Index && unit.InMigrationTransaction
                    && unit.Locks.LongWork != null && unit.Locks.Locks.Any(l => !model.IsTableCreatedBefore(l.Table, unit.Step.Index, unit.StatementIndex)))
                {
                    return unit.Step;
                }
            }

            return reported.Step;
        }

        /// <summary>A long step whose scanned or built table is listed in <c>safe_migrations.small_tables</c> is brief.</summary>
        private static bool IsOnSmallTable(MigrationContext context, LockUnit unit)
        {
            var table = unit.StatementIndex < 0
                ? unit.Step.Table
                : TableName.From(unit.Step.Sql!.Statements[unit.StatementIndex].Table);
            return table is { } t && context.IsSmallTable(t);
        }

        /// <summary>
        /// The last long step of the holder's transaction that its lock makes worse, when the holder can move right
        /// after it: the same block, and no step from the holder up to there names the dropped object, changes the
        /// columns or tables it stands on, or is SQL whose text names it (or cannot be read). Null otherwise.
        /// </summary>
        private static MigrationStep? LastMoveTarget(MigrationModel model, TransactionLocks transactionLocks, LockUnit holder)
        {
            MigrationStep? last = null;
            foreach (var unit in transactionLocks.Units)
            {
                if (unit.Step.Index > holder.Step.Index && unit.Locks.LongWork != null && unit.Worse.Any(held => held.Holder == holder))
                {
                    last = unit.Step;
                }
            }

            if (last is null || holder.Step.Name is not { } dropped || !SameBlock(holder.Step, last))
            {
                return null;
            }

            var lockedTables = holder.Locks.Locks.Select(l => l.Table).ToList();
            for (var i = holder.Step.Index + 1; i <= last.Index; i++)
            {
                var step = model.Steps[i];
                if (step.Sql is { } sql)
                {
                    if (sql.Text is null || sql.Text.IndexOf(dropped, StringComparison.OrdinalIgnoreCase) >= 0)
                    {
                        return null;
                    }

                    continue;
                }

                if (Names(step, dropped)
                    || (ShapeChangingSteps.Contains(step.MethodName) && (step.Table is not { } table || lockedTables.Contains(table))))
                {
                    return null;
                }
            }

            return last;
        }

        /// <summary>Some constant argument of the step is the name (names are compared case-insensitively: quoted or not, be safe).</summary>
        private static bool Names(MigrationStep step, string name)
        {
            foreach (var argument in step.Arguments.Values)
            {
                if (string.Equals(argument.AsString(), name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }

                if (!argument.Elements.IsDefault && argument.Elements.Any(e => string.Equals(e.AsString(), name, StringComparison.OrdinalIgnoreCase)))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool SameBlock(MigrationStep first, MigrationStep second) =>
            StatementOf(first) is { } a && StatementOf(second) is { } b && a.Parent is BlockSyntax && a.Parent == b.Parent;

        private static StatementSyntax? StatementOf(MigrationStep step) => step.Syntax.FirstAncestorOrSelf<StatementSyntax>();
    }
}
