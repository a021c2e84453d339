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
    [Migration("20240125090000_DetachItemsFromBrands")]
    public partial class DetachItemsFromBrands : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_CatalogItems_CatalogBrands_CatalogBrandId",
                table: "CatalogItems");

            migrationBuilder.DropIndex(
                name: "IX_CatalogItems_CatalogBrandId",
                table: "CatalogItems");

            migrationBuilder.DropColumn(
                name: "CatalogBrandId",
                table: "CatalogItems");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
