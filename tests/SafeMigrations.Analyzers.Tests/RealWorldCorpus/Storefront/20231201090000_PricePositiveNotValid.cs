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
    [Migration("20231201090000_PricePositiveNotValid")]
    public partial class PricePositiveNotValid : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE \"CatalogItems\" ADD CONSTRAINT \"CK_CatalogItems_Price_Positive\" CHECK (\"Price\" >= 0) NOT VALID;");
            migrationBuilder.Sql("ALTER TABLE \"CatalogBrands\" ADD CONSTRAINT \"CK_CatalogBrands_Brand\" CHECK (\"Brand\" <> '') NOT VALID;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
