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
    [Migration("20231212090000_SkuDomainFormat")]
    public partial class SkuDomainFormat : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER DOMAIN sku_code ADD CONSTRAINT sku_code_format CHECK (VALUE ~ '^[A-Z0-9-]+$');");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
