using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace SafeMigrations.Engine.Planning
{
    /// <summary>
    /// The rollback check of a <c>CreateSyncTrigger</c> step: rows whose new column holds a value the old column does
    /// not. Undoing the expand stops the sync and (with the migration's AddColumn undone) drops the new column, so
    /// those values would be lost.
    /// </summary>
    internal static class SyncTriggerGuard
    {
        public static UndoGuard? For(string? schema, string table, SqlOperation operation)
        {
            if (operation[StepAnnotations.FromColumn] is not string fromColumn || operation[StepAnnotations.ToColumn] is not string toColumn)
                return null;
            string qualified = SqlIdentifier.Qualify(schema, table);
            string from = SqlIdentifier.Quote(fromColumn);
            string to = SqlIdentifier.Quote(toColumn);
            bool twoWay = operation[StepAnnotations.TwoWay] is true;

            // The conversions are PL/pgSQL over NEW."column"; aliasing the table as new makes them plain SQL here.
            string condition = twoWay
                ? $"new.{to} IS NOT NULL AND new.{from} IS DISTINCT FROM ({operation[StepAnnotations.ReverseConvertSql] as string ?? "NEW." + to})"
                : $"new.{to} IS NOT NULL AND new.{to} IS DISTINCT FROM ({operation[StepAnnotations.ConvertSql] as string ?? "NEW." + from})";
            string rows = $"SELECT * FROM {qualified} AS new WHERE {condition}";
            string remedy = twoWay
                ? $"copy them back first (UPDATE {qualified} AS new SET {from} = {operation[StepAnnotations.ReverseConvertSql] as string ?? "NEW." + to} WHERE {condition}) and rerun the rollback, or go back with a new forward migration; the rows: {rows}"
                : $"check them ({rows}) and move what they hold to {from}, or go back with a new forward migration";
            return new UndoGuard(
                $"SELECT count(*) FROM {qualified} AS new WHERE {condition}",
                $"of {qualified} hold a value in {to} that {from} does not; rolling back removes the sync trigger and the migration's {to}, and those values with it",
                remedy);
        }
    }
}
