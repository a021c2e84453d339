using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Storefront.Catalog.Infrastructure;

#nullable disable

namespace Storefront.Catalog.Infrastructure.Migrations
{
    /// <inheritdoc />
    [DbContext(typeof(CatalogContext))]
    [Migration("20240105090000_ClearImportStaging")]
    public partial class ClearImportStaging : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("TRUNCATE \"CatalogImportStaging\";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
