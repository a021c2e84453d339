using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace SafeMigrations.Benchmarks.AnalyzerCost;

/// <summary>
/// Generates a realistic application project: entities, a DbContext with fluent configuration, services with LINQ and
/// async EF queries, controller-like classes, DTOs and validation (the ordinary code), plus a scaffold-style migration
/// history: each migration an Up/Down file and a <c>.Designer.cs</c> whose <c>BuildTargetModel</c> holds the whole model
/// at that point, as <c>dotnet ef migrations add</c> writes them. The first migrations create the tables; later ones add,
/// widen and index columns, with raw SQL now and then.
/// </summary>
public static class AppCorpus
{
    private static readonly string[] Nouns =
    {
        "Customer", "Order", "Product", "Invoice", "Shipment", "Supplier", "Warehouse", "Payment", "Review", "Coupon",
    };

    /// <param name="designers">
    /// Write each migration's <c>.Designer.cs</c> with its full target model, as EF does. They soon outweigh the rest of
    /// the project (300 migrations of 80 entities: about 740,000 lines), so they are optional; without them the
    /// <c>[DbContext]</c> and <c>[Migration]</c> attributes go on the migration class.
    /// </param>
    public static IReadOnlyList<(string Path, string Source)> Generate(int migrationCount, int entityCount, bool designers)
    {
        var entities = Enumerable.Range(0, entityCount).Select(i => new Entity(i)).ToArray();
        var files = new List<(string, string)> { ("Data/AppDbContext.cs", DbContext(entities)) };
        foreach (var entity in entities)
        {
            files.Add(($"Domain/{entity.Name}.cs", EntityClass(entity)));
            files.Add(($"Services/{entity.Name}Service.cs", Service(entity)));
            files.Add(($"Api/{entity.Name}Controller.cs", Controller(entity)));
        }

        files.Add(("Api/Results.cs", Results()));

        var created = 0;
        for (var i = 0; i < migrationCount; i++)
        {
            var id = "2024" + (100000000 + i).ToString(CultureInfo.InvariantCulture) + "_Change" + I(i);
            string up, down;
            if (i < entities.Length)
            {
                (up, down) = CreateTable(entities[created], created > 0 ? entities[created - 1] : null);
                entities[created].Created = true;
                created++;
            }
            else
            {
                (up, down) = Change(entities[i % created], i);
            }

            files.Add(($"Migrations/{id}.cs", Migration(id, up, down, attributes: !designers)));
            if (designers)
            {
                files.Add(($"Migrations/{id}.Designer.cs", Designer(id, entities)));
            }
        }

        return files;
    }

    /// <summary>Lines of generated source, split into migration files (Up/Down and Designer) and everything else.</summary>
    public static (int Migrations, int Ordinary) Lines(IReadOnlyList<(string Path, string Source)> files)
    {
        int migrations = 0, ordinary = 0;
        foreach (var (path, source) in files)
        {
            var lines = source.Count(c => c == '\n') + 1;
            if (path.StartsWith("Migrations/", System.StringComparison.Ordinal))
            {
                migrations += lines;
            }
            else
            {
                ordinary += lines;
            }
        }

        return (migrations, ordinary);
    }

    private static string I(int i) => i.ToString(CultureInfo.InvariantCulture);

    /// <summary>One mapped entity and the columns the migrations have given it so far.</summary>
    private sealed class Entity
    {
        public Entity(int index)
        {
            Index = index;
            Name = Nouns[index % Nouns.Length] + I(index);
            Table = Name.ToLowerInvariant() + "s";
            Columns.Add(new Column("Id", "long", "bigint", Required: true, Identity: true));
            Columns.Add(new Column("Name", "string", "character varying(200)", Required: true, MaxLength: 200));
            Columns.Add(new Column("Category", "string", "text", Required: false));
            Columns.Add(new Column("Amount", "decimal", "numeric(18,2)", Required: true));
            Columns.Add(new Column("IsActive", "bool", "boolean", Required: true));
            Columns.Add(new Column("CreatedAt", "DateTime", "timestamp with time zone", Required: true));
            if (index > 0)
            {
                Columns.Add(new Column("ParentId", "long", "bigint", Required: false));
            }
        }

        public int Index { get; }

        public string Name { get; }

        public string Table { get; }

        public bool Created { get; set; }

        public List<Column> Columns { get; } = new();
    }

    private sealed record Column(string Name, string ClrType, string StoreType, bool Required, int? MaxLength = null, bool Identity = false);

    private static (string Up, string Down) CreateTable(Entity entity, Entity? parent)
    {
        var up = new StringBuilder();
        up.Append($$"""
                        migrationBuilder.CreateTable(
                            name: "{{entity.Table}}",
                            columns: table => new
                            {

            """);
        foreach (var column in entity.Columns)
        {
            var clr = column.ClrType + (column.Required || column.ClrType == "string" ? string.Empty : "?");
            var max = column.MaxLength is { } m ? $", maxLength: {m}" : string.Empty;
            up.Append($"""                    {column.Name} = table.Column<{(column.ClrType == "DateTime" ? "System.DateTime" : clr)}>(type: "{column.StoreType}"{max}, nullable: {(column.Required ? "false" : "true")})""");
            if (column.Identity)
            {
                up.Append("\n                        .Annotation(\"Npgsql:ValueGenerationStrategy\", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn)");
            }

            up.Append(",\n");
        }

        up.Append($$"""
                            },
                            constraints: table =>
                            {
                                table.PrimaryKey("PK_{{entity.Table}}", x => x.Id);

            """);
        if (parent != null)
        {
            up.Append($$"""
                                    table.ForeignKey(
                                        name: "FK_{{entity.Table}}_{{parent.Table}}_ParentId",
                                        column: x => x.ParentId,
                                        principalTable: "{{parent.Table}}",
                                        principalColumn: "Id");

                """);
        }

        up.Append("                });\n");
        if (parent != null)
        {
            up.Append($$"""

                            migrationBuilder.CreateIndex(
                                name: "IX_{{entity.Table}}_ParentId",
                                table: "{{entity.Table}}",
                                column: "ParentId");
                """);
        }

        return (up.ToString(), $$"""
                        migrationBuilder.DropTable(
                            name: "{{entity.Table}}");
            """);
    }

    private static (string Up, string Down) Change(Entity entity, int i)
    {
        var t = entity.Table;
        switch (i % 8)
        {
            case 0:
            case 4:
                entity.Columns.Add(new Column("Note" + I(i), "string", "text", Required: false));
                return ($$"""
                            migrationBuilder.AddColumn<string>(
                                name: "Note{{i}}",
                                table: "{{t}}",
                                type: "text",
                                nullable: true);
                    """, $$"""
                            migrationBuilder.DropColumn(
                                name: "Note{{i}}",
                                table: "{{t}}");
                    """);
            case 1:
                return ($$"""
                            migrationBuilder.CreateIndex(
                                name: "IX_{{t}}_CreatedAt_{{i}}",
                                table: "{{t}}",
                                column: "CreatedAt")
                                .Annotation("Npgsql:CreatedConcurrently", true);
                    """, $$"""
                            migrationBuilder.DropIndex(
                                name: "IX_{{t}}_CreatedAt_{{i}}",
                                table: "{{t}}");
                    """);
            case 2:
                entity.Columns.Add(new Column("Rank" + I(i), "int", "integer", Required: true));
                return ($$"""
                            migrationBuilder.AddColumn<int>(
                                name: "Rank{{i}}",
                                table: "{{t}}",
                                type: "integer",
                                nullable: false,
                                defaultValue: 0);
                    """, $$"""
                            migrationBuilder.DropColumn(
                                name: "Rank{{i}}",
                                table: "{{t}}");
                    """);
            case 3:
                var name = entity.Columns.First(c => c.Name == "Name");
                var old = name.MaxLength!.Value;
                var widened = name with { MaxLength = old + 100, StoreType = $"character varying({old + 100})" };
                entity.Columns[entity.Columns.IndexOf(name)] = widened;
                return ($$"""
                            migrationBuilder.AlterColumn<string>(
                                name: "Name",
                                table: "{{t}}",
                                type: "character varying({{old + 100}})",
                                maxLength: {{old + 100}},
                                nullable: false,
                                oldClrType: typeof(string),
                                oldType: "character varying({{old}})",
                                oldMaxLength: {{old}});
                    """, $$"""
                            migrationBuilder.AlterColumn<string>(
                                name: "Name",
                                table: "{{t}}",
                                type: "character varying({{old}})",
                                maxLength: {{old}},
                                nullable: false,
                                oldClrType: typeof(string),
                                oldType: "character varying({{old + 100}})",
                                oldMaxLength: {{old + 100}});
                    """);
            case 5:
                // A hazard now and then: a plain index on an existing table.
                return ($$"""
                            migrationBuilder.CreateIndex(
                                name: "IX_{{t}}_Category_{{i}}",
                                table: "{{t}}",
                                column: "Category");
                    """, $$"""
                            migrationBuilder.DropIndex(
                                name: "IX_{{t}}_Category_{{i}}",
                                table: "{{t}}");
                    """);
            case 6:
                return ($$"""
                            migrationBuilder.Sql(@"CREATE INDEX CONCURRENTLY IF NOT EXISTS ""IX_{{t}}_lower_name_{{i}}"" ON ""{{t}}"" (lower(""Name""));", suppressTransaction: true);
                    """, $$"""
                            migrationBuilder.Sql(@"DROP INDEX CONCURRENTLY IF EXISTS ""IX_{{t}}_lower_name_{{i}}"";", suppressTransaction: true);
                    """);
            default:
                entity.Columns.Add(new Column("ReviewedAt" + I(i), "DateTime", "timestamp with time zone", Required: false));
                return ($$"""
                            migrationBuilder.AddColumn<System.DateTime>(
                                name: "ReviewedAt{{i}}",
                                table: "{{t}}",
                                type: "timestamp with time zone",
                                nullable: true);
                    """, $$"""
                            migrationBuilder.DropColumn(
                                name: "ReviewedAt{{i}}",
                                table: "{{t}}");
                    """);
        }
    }

    private static string Migration(string id, string up, string down, bool attributes) => $$"""
        using System;
        using Microsoft.EntityFrameworkCore.Infrastructure;
        using Microsoft.EntityFrameworkCore.Migrations;
        using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

        #nullable disable

        namespace App.Migrations
        {
            /// <inheritdoc />
            {{(attributes ? $"[DbContext(typeof(App.Data.AppDbContext))]\n    [Migration(\"{id}\")]\n    " : string.Empty)}}public partial class {{id.Substring(id.IndexOf('_') + 1)}} : Migration
            {
                /// <inheritdoc />
                protected override void Up(MigrationBuilder migrationBuilder)
                {
        {{up}}
                }

                /// <inheritdoc />
                protected override void Down(MigrationBuilder migrationBuilder)
                {
        {{down}}
                }
            }
        }
        """;

    private static string Designer(string id, Entity[] entities)
    {
        var body = new StringBuilder();
        foreach (var entity in entities.Where(e => e.Created))
        {
            body.Append($$"""
                            modelBuilder.Entity("App.Domain.{{entity.Name}}", b =>
                                {

                """);
            foreach (var column in entity.Columns)
            {
                var clr = column.ClrType switch
                {
                    "string" => "string",
                    "DateTime" => column.Required ? "DateTime" : "DateTime?",
                    _ => column.Required ? column.ClrType : column.ClrType + "?",
                };
                body.Append($"""                        b.Property<{clr}>("{column.Name}")""");
                if (column.Identity)
                {
                    body.Append("\n                            .ValueGeneratedOnAdd()");
                }

                if (column.Required && column.ClrType == "string")
                {
                    body.Append("\n                            .IsRequired()");
                }

                if (column.MaxLength is { } max)
                {
                    body.Append($"\n                            .HasMaxLength({max})");
                }

                body.Append($"\n                            .HasColumnType(\"{column.StoreType}\");\n\n");
                if (column.Identity)
                {
                    body.Append($"                        NpgsqlPropertyBuilderExtensions.UseIdentityByDefaultColumn(b.Property<long>(\"{column.Name}\"));\n\n");
                }
            }

            body.Append($$"""
                                    b.HasKey("Id");

                                    b.ToTable("{{entity.Table}}");
                                });


                """);
        }

        return $$"""
            // <auto-generated />
            using System;
            using App.Data;
            using Microsoft.EntityFrameworkCore;
            using Microsoft.EntityFrameworkCore.Infrastructure;
            using Microsoft.EntityFrameworkCore.Migrations;
            using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

            #nullable disable

            namespace App.Migrations
            {
                [DbContext(typeof(AppDbContext))]
                [Migration("{{id}}")]
                partial class {{id.Substring(id.IndexOf('_') + 1)}}
                {
                    /// <inheritdoc />
                    protected override void BuildTargetModel(ModelBuilder modelBuilder)
                    {
            #pragma warning disable 612, 618
                        modelBuilder
                            .HasAnnotation("ProductVersion", "8.0.8")
                            .HasAnnotation("Relational:MaxIdentifierLength", 63);

                        NpgsqlModelBuilderExtensions.UseIdentityByDefaultColumns(modelBuilder);

            {{body}}
            #pragma warning restore 612, 618
                    }
                }
            }
            """;
    }

    private static string DbContext(Entity[] entities)
    {
        var sets = new StringBuilder();
        var config = new StringBuilder();
        foreach (var e in entities)
        {
            sets.Append($"        public DbSet<{e.Name}> {e.Name}s => Set<{e.Name}>();\n");
            config.Append($$"""
                        modelBuilder.Entity<{{e.Name}}>(b =>
                        {
                            b.ToTable("{{e.Table}}");
                            b.HasKey(x => x.Id);
                            b.Property(x => x.Name).HasMaxLength(200).IsRequired();
                            b.Property(x => x.Amount).HasPrecision(18, 2);
                            b.HasIndex(x => x.Category);

                """);
            if (e.Index > 0)
            {
                config.Append($"                b.HasOne<{Nouns[(e.Index - 1) % Nouns.Length]}{I(e.Index - 1)}>().WithMany().HasForeignKey(x => x.ParentId);\n");
            }

            config.Append("            });\n\n");
        }

        return $$"""
            using Microsoft.EntityFrameworkCore;
            using App.Domain;

            namespace App.Data
            {
                public class AppDbContext : DbContext
                {
                    public AppDbContext(DbContextOptions<AppDbContext> options) : base(options) { }

            {{sets}}
                    protected override void OnModelCreating(ModelBuilder modelBuilder)
                    {
            {{config}}
                    }
                }
            }
            """;
    }

    private static string EntityClass(Entity e) => $$"""
        using System;
        using System.Collections.Generic;

        namespace App.Domain
        {
            public class {{e.Name}}
            {
                public long Id { get; set; }

                public string Name { get; set; } = string.Empty;

                public string? Category { get; set; }

                public decimal Amount { get; set; }

                public bool IsActive { get; set; }

                public DateTime CreatedAt { get; set; }

                public long? ParentId { get; set; }

                public List<string> Tags { get; } = new();

                public bool IsRecent(DateTime now) => now - CreatedAt < TimeSpan.FromDays(30);

                public decimal AmountWithTax(decimal rate)
                {
                    if (rate < 0 || rate > 1)
                    {
                        throw new ArgumentOutOfRangeException(nameof(rate));
                    }

                    return Math.Round(Amount * (1 + rate), 2, MidpointRounding.AwayFromZero);
                }

                public override string ToString() => $"{{e.Name}} #{Id} {Name} ({Category ?? "none"})";
            }
        }
        """;

    private static string Service(Entity e) => $$"""
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.EntityFrameworkCore;
        using App.Data;
        using App.Domain;

        namespace App.Services
        {
            public sealed record {{e.Name}}Dto(long Id, string Name, string? Category, decimal Amount, DateTime CreatedAt);

            public sealed record {{e.Name}}Summary(string Category, int Count, decimal Total, decimal Average);

            public sealed class {{e.Name}}Service
            {
                private readonly AppDbContext _db;

                public {{e.Name}}Service(AppDbContext db)
                {
                    _db = db;
                }

                public async Task<IReadOnlyList<{{e.Name}}Dto>> ListAsync(string? category, int page, int size, CancellationToken cancellationToken)
                {
                    var query = _db.{{e.Name}}s.AsNoTracking().Where(x => x.IsActive);
                    if (!string.IsNullOrWhiteSpace(category))
                    {
                        query = query.Where(x => x.Category == category);
                    }

                    return await query
                        .OrderByDescending(x => x.CreatedAt)
                        .ThenBy(x => x.Name)
                        .Skip(Math.Max(0, page) * size)
                        .Take(Math.Clamp(size, 1, 200))
                        .Select(x => new {{e.Name}}Dto(x.Id, x.Name, x.Category, x.Amount, x.CreatedAt))
                        .ToListAsync(cancellationToken);
                }

                public Task<{{e.Name}}?> FindAsync(long id, CancellationToken cancellationToken) =>
                    _db.{{e.Name}}s.FirstOrDefaultAsync(x => x.Id == id, cancellationToken);

                public async Task<long> CreateAsync(string name, string? category, decimal amount, CancellationToken cancellationToken)
                {
                    var errors = Validate(name, amount).ToList();
                    if (errors.Count > 0)
                    {
                        throw new ArgumentException(string.Join("; ", errors));
                    }

                    var entity = new {{e.Name}}
                    {
                        Name = Normalize(name),
                        Category = category?.Trim(),
                        Amount = amount,
                        IsActive = true,
                        CreatedAt = DateTime.UtcNow,
                    };
                    _db.Add(entity);
                    await _db.SaveChangesAsync(cancellationToken);
                    return entity.Id;
                }

                public async Task<bool> RenameAsync(long id, string name, CancellationToken cancellationToken)
                {
                    var entity = await FindAsync(id, cancellationToken);
                    if (entity is null || !entity.IsActive)
                    {
                        return false;
                    }

                    entity.Name = Normalize(name);
                    await _db.SaveChangesAsync(cancellationToken);
                    return true;
                }

                public async Task<int> DeactivateOlderThanAsync(DateTime cutoff, CancellationToken cancellationToken)
                {
                    var stale = await _db.{{e.Name}}s.Where(x => x.IsActive && x.CreatedAt < cutoff).ToListAsync(cancellationToken);
                    foreach (var entity in stale)
                    {
                        entity.IsActive = false;
                    }

                    return await _db.SaveChangesAsync(cancellationToken);
                }

                public async Task<IReadOnlyList<{{e.Name}}Summary>> SummarizeAsync(CancellationToken cancellationToken)
                {
                    var rows = await _db.{{e.Name}}s
                        .Where(x => x.IsActive)
                        .GroupBy(x => x.Category)
                        .Select(g => new { Category = g.Key, Count = g.Count(), Total = g.Sum(x => x.Amount) })
                        .ToListAsync(cancellationToken);
                    return rows
                        .Select(r => new {{e.Name}}Summary(r.Category ?? "(none)", r.Count, r.Total, r.Count == 0 ? 0 : r.Total / r.Count))
                        .OrderByDescending(s => s.Total)
                        .ToList();
                }

                public async Task<Dictionary<long, int>> ChildrenPerParentAsync(CancellationToken cancellationToken)
                {
                    var pairs = await _db.{{e.Name}}s
                        .Where(x => x.ParentId != null)
                        .Select(x => x.ParentId!.Value)
                        .ToListAsync(cancellationToken);
                    var counts = new Dictionary<long, int>();
                    foreach (var parent in pairs)
                    {
                        counts[parent] = counts.TryGetValue(parent, out var n) ? n + 1 : 1;
                    }

                    return counts;
                }

                public static IEnumerable<string> Validate(string name, decimal amount)
                {
                    if (string.IsNullOrWhiteSpace(name))
                    {
                        yield return "name is required";
                    }
                    else if (name.Length > 200)
                    {
                        yield return "name is longer than 200 characters";
                    }

                    if (amount < 0)
                    {
                        yield return "amount must not be negative";
                    }
                }

                private static string Normalize(string name)
                {
                    var trimmed = name.Trim();
                    return trimmed.Length switch
                    {
                        0 => trimmed,
                        1 => trimmed.ToUpperInvariant(),
                        _ => char.ToUpperInvariant(trimmed[0]) + trimmed.Substring(1),
                    };
                }
            }
        }
        """;

    private static string Controller(Entity e) => $$"""
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using App.Services;

        namespace App.Api
        {
            public sealed class {{e.Name}}Controller
            {
                private readonly {{e.Name}}Service _service;

                public {{e.Name}}Controller({{e.Name}}Service service)
                {
                    _service = service;
                }

                public async Task<ApiResult<IReadOnlyList<{{e.Name}}Dto>>> Get(string? category, int page = 0, int size = 50, CancellationToken cancellationToken = default)
                {
                    if (page < 0 || size <= 0)
                    {
                        return ApiResult<IReadOnlyList<{{e.Name}}Dto>>.BadRequest("page and size must be positive");
                    }

                    var items = await _service.ListAsync(category, page, size, cancellationToken);
                    return ApiResult<IReadOnlyList<{{e.Name}}Dto>>.Ok(items);
                }

                public async Task<ApiResult<{{e.Name}}Dto>> GetById(long id, CancellationToken cancellationToken = default)
                {
                    var entity = await _service.FindAsync(id, cancellationToken);
                    return entity switch
                    {
                        null => ApiResult<{{e.Name}}Dto>.NotFound($"{{e.Name}} {id} not found"),
                        { IsActive: false } => ApiResult<{{e.Name}}Dto>.NotFound($"{{e.Name}} {id} is inactive"),
                        _ => ApiResult<{{e.Name}}Dto>.Ok(new {{e.Name}}Dto(entity.Id, entity.Name, entity.Category, entity.Amount, entity.CreatedAt)),
                    };
                }

                public async Task<ApiResult<long>> Post(Create{{e.Name}}Request request, CancellationToken cancellationToken = default)
                {
                    var errors = {{e.Name}}Service.Validate(request.Name, request.Amount).ToArray();
                    if (errors.Length > 0)
                    {
                        return ApiResult<long>.BadRequest(string.Join(", ", errors));
                    }

                    try
                    {
                        var id = await _service.CreateAsync(request.Name, request.Category, request.Amount, cancellationToken);
                        return ApiResult<long>.Ok(id);
                    }
                    catch (ArgumentException ex)
                    {
                        return ApiResult<long>.BadRequest(ex.Message);
                    }
                }

                public async Task<ApiResult<bool>> Rename(long id, string name, CancellationToken cancellationToken = default) =>
                    await _service.RenameAsync(id, name, cancellationToken)
                        ? ApiResult<bool>.Ok(true)
                        : ApiResult<bool>.NotFound($"{{e.Name}} {id} not found");

                public async Task<ApiResult<string>> Report(CancellationToken cancellationToken = default)
                {
                    var summaries = await _service.SummarizeAsync(cancellationToken);
                    var lines = summaries.Select(s => $"{s.Category,-20} {s.Count,6} {s.Total,12:F2} {s.Average,10:F2}");
                    return ApiResult<string>.Ok(string.Join(Environment.NewLine, lines));
                }
            }

            public sealed record Create{{e.Name}}Request(string Name, string? Category, decimal Amount);
        }
        """;

    private static string Results() => """
        namespace App.Api
        {
            public enum ApiStatus
            {
                Ok = 200,
                BadRequest = 400,
                NotFound = 404,
            }

            public sealed class ApiResult<T>
            {
                private ApiResult(ApiStatus status, T? value, string? error)
                {
                    Status = status;
                    Value = value;
                    Error = error;
                }

                public ApiStatus Status { get; }

                public T? Value { get; }

                public string? Error { get; }

                public static ApiResult<T> Ok(T value) => new(ApiStatus.Ok, value, null);

                public static ApiResult<T> BadRequest(string error) => new(ApiStatus.BadRequest, default, error);

                public static ApiResult<T> NotFound(string error) => new(ApiStatus.NotFound, default, error);
            }
        }
        """;
}
