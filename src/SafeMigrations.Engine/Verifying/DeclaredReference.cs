using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;

namespace SafeMigrations.Engine.Verifying
{
    /// <summary>
    /// A foreign key the EF model declares, by table and column names: seeded rows must keep it even before the
    /// database has it, or a later <c>AddForeignKey</c> fails on orphans the seeder made up.
    /// </summary>
    internal sealed class DeclaredReference
    {
        public DeclaredReference(string? schema, string table, IReadOnlyList<string> columns, string? principalSchema, string principalTable, IReadOnlyList<string> principalColumns)
        {
            Schema = schema;
            Table = table;
            Columns = columns;
            PrincipalSchema = principalSchema;
            PrincipalTable = principalTable;
            PrincipalColumns = principalColumns;
        }

        /// <summary>The dependent table's schema, or null for the search_path's.</summary>
        public string? Schema { get; }

        public string Table { get; }

        public IReadOnlyList<string> Columns { get; }

        /// <summary>The principal table's schema, or null for the search_path's.</summary>
        public string? PrincipalSchema { get; }

        public string PrincipalTable { get; }

        public IReadOnlyList<string> PrincipalColumns { get; }

        /// <summary>
        /// The foreign keys of the model a migration leaves behind: its target model (the Designer file's), or the
        /// DbContext's model when the migration has none. Empty when neither can be read.
        /// </summary>
        public static List<DeclaredReference> Of(MigrationCatalog catalog, MigrationInfo migration, out string? problem)
        {
            problem = null;
            try
            {
                IModel? model = catalog.TargetModel(catalog.Create(migration));
                // Without a Designer file EF gives an empty target model rather than none.
                return Read(model is not null && model.GetEntityTypes().Any() ? model : catalog.Context.Model);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A model that cannot be read only costs the seeder its best source; the catalog's keys still count.
                problem = $"{exception.GetType().Name}: {MigrationEngine.OneLine(exception.Message)}";
                return new List<DeclaredReference>();
            }
        }

        /// <summary>Every foreign key of <paramref name="model"/> between two mapped tables.</summary>
        public static List<DeclaredReference> Read(IModel model)
        {
            var references = new List<DeclaredReference>();
            foreach (IEntityType entity in model.GetEntityTypes())
            {
                string? table = entity.GetTableName();
                if (table is null)
                    continue;
                string? schema = entity.GetSchema();
                var dependentStore = StoreObjectIdentifier.Table(table, schema);
                foreach (IForeignKey foreignKey in entity.GetDeclaredForeignKeys())
                {
                    IEntityType principal = foreignKey.PrincipalEntityType;
                    string? principalTable = principal.GetTableName();
                    if (principalTable is null)
                        continue;
                    string? principalSchema = principal.GetSchema();
                    var principalStore = StoreObjectIdentifier.Table(principalTable, principalSchema);
                    List<string?> columns = foreignKey.Properties.Select(p => p.GetColumnName(dependentStore)).ToList();
                    List<string?> principalColumns = foreignKey.PrincipalKey.Properties.Select(p => p.GetColumnName(principalStore)).ToList();
                    if (columns.Any(c => c is null) || principalColumns.Any(c => c is null))
                        continue;
                    // Table splitting and owned types: a row "references" itself through its own key; nothing to seed.
                    if (table == principalTable && schema == principalSchema && columns.SequenceEqual(principalColumns))
                        continue;
                    references.Add(new DeclaredReference(schema, table, columns!, principalSchema, principalTable, principalColumns!));
                }
            }
            return references;
        }
    }
}
